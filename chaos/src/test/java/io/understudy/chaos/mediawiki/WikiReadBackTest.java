package io.understudy.chaos.mediawiki;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How MediaWiki 1.39 names what it stores, as a real upload to the Debian package's wiki stored it. */
class WikiReadBackTest {

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            # content                | img_sha1 as MediaWiki stored it
            'file content one\\n'    | ojlub579mis6ay7f8gaxqecdu9eezz9
            ''                       | phoiac9h4m842xq45sp7s6u21eteeq1
            """)
    void shouldGiveTheSha1AsMediaWikiStoresIt(String content, String stored) {
        assertThat(WikiReadBack.sha1Base36(content.translateEscapes().getBytes(StandardCharsets.UTF_8))).isEqualTo(stored);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            # name                       | path under the uploads directory (md5 of the stored name)
            F1.txt                       | 5/57/F1.txt
            Failover run1 upload 1.txt   | 6/69/Failover_run1_upload_1.txt
            """)
    void shouldFindAnUploadWhereMediaWikiHashesIt(String name, String path) {
        assertThat(WikiReadBack.uploadPath(Path.of("/up"), name)).isEqualTo(Path.of("/up").resolve(path));
    }
}
