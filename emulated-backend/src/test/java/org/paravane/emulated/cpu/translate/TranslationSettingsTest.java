package org.paravane.emulated.cpu.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Config Admin properties of {@code org.paravane.emulated}. */
class TranslationSettingsTest {
    static final TranslationSettings BASE = new TranslationSettings(true, 64, 16384);

    @Test
    void propertiesFromConfigAdminOrFileInstallApply() {
        assertThat(TranslationSettings.of(Map.of("translation", false, "translationThreshold", 0, "codeCacheKiB", 512),
                BASE)).isEqualTo(new TranslationSettings(false, 0, 512));
        assertThat(TranslationSettings.of(Map.of("translation", "TRUE", "translationThreshold", "10"), BASE))
                .isEqualTo(new TranslationSettings(true, 10, 16384));
        assertThat(TranslationSettings.of(Map.of(), BASE)).isEqualTo(BASE);
    }

    @Test
    void badValuesAndUnknownKeysAreNamed() {
        assertThatThrownBy(() -> TranslationSettings.of(Map.of("translation", "yes", "translationThreshold", "-1",
                "codeCacheKiB", "lots", "treshold", "5"), BASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("translation").hasMessageContaining("yes")
                .hasMessageContaining("translationThreshold").hasMessageContaining("-1")
                .hasMessageContaining("codeCacheKiB").hasMessageContaining("lots")
                .hasMessageContaining("treshold");
    }
}
