package org.paravane.emulated;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.paravane.emulated.cpu.translate.TranslationSettings;

/** Config Admin on the component: what Declarative Services hands it, and a bad value keeping the settings. */
class EmulatedBackendConfigTest {

    @Test
    void theComponentsOwnPropertiesAreNotConfigurationKeys() {
        EmulatedBackend b = new EmulatedBackend();
        b.configure(Map.of("backend.name", "emulated", "backend.usable", true, "component.name", "x",
                "component.id", 3L, "translationThreshold", 7));
        assertThat(b.translation().threshold()).isEqualTo(7);
        assertThat(b.translation().enabled()).isTrue();
    }

    @Test
    void aBadValueKeepsThePreviousSettings() {
        EmulatedBackend b = new EmulatedBackend();
        b.configure(Map.of("translation", false));
        TranslationSettings before = b.translation();
        assertThat(before.enabled()).isFalse();
        b.configure(Map.of("translation", "maybe"));
        assertThat(b.translation()).isEqualTo(before);
    }
}
