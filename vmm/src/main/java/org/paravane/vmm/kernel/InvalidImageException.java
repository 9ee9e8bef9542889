package org.paravane.vmm.kernel;

/** A guest image that cannot be loaded; the message names the image and what is wrong with it. */
public final class InvalidImageException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidImageException(String image, String problem) {
        super(image + ": " + problem);
    }
}
