package org.paravane.vmm.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import org.paravane.vmm.manager.GuestImages;

/** One image argument of {@code paravane:run}: {@code hello}, {@code worker:30}, {@code ./prog.elf:7}. */
record ImageArgument(String image, long argument) {

    /**
     * @param defaultArgument the task's argument when the image names none ({@code --arg})
     * @throws IllegalArgumentException when the part after the last ':' of a known image is not a whole number
     */
    static ImageArgument parse(String text, long defaultArgument) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || Files.isRegularFile(Path.of(text))) {
            return new ImageArgument(text, defaultArgument);
        }
        String image = text.substring(0, colon), argument = text.substring(colon + 1);
        try {
            return new ImageArgument(image, Long.parseLong(argument));
        } catch (NumberFormatException e) {
            if (GuestImages.BUNDLED.contains(image) || Files.isRegularFile(Path.of(image))) {
                throw new IllegalArgumentException("'" + text + "': the argument after ':' is the task's argument (RDI)"
                        + " and must be a whole number, like " + image + ":3; got '" + argument + "'");
            }
            return new ImageArgument(text, defaultArgument);   // not name:arg; loading it names what is wrong
        }
    }
}
