package dev.speculators.datagen.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * String methods and {@code trim} on the characters whose whitespace-ness Python and Java disagree
 * on, against what jinja2 renders ({@code python-whitespace.json}, from {@code
 * datagen_chat_goldens.py whitespace}): Python's {@code str.strip()} removes U+0085, U+00A0, U+2007
 * and U+202F, Java's {@link Character#isWhitespace} counts none of them.
 */
class PythonWhitespaceTest {

  @Test
  void renderLikeJinja2ForEveryProbeCharacter() throws Exception {
    JsonNode golden =
        GoldenChats.JSON.readTree(
            GoldenChats.class.getResource("/datagen/chat/python-whitespace.json"));
    List<String> mismatches = new ArrayList<>();
    int n = 0;
    for (JsonNode c : golden.get("cases")) {
      Map<String, Object> vars = Map.of("x", c.get("x").asText(), "c", c.get("c").asText());
      for (Iterator<Map.Entry<String, JsonNode>> it = c.get("renders").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String actual = new ChatTemplate(e.getKey(), Map.of()).render(List.of(), false, vars);
        if (!actual.equals(e.getValue().asText())) {
          mismatches.add(
              c.get("char").asText()
                  + " "
                  + e.getKey()
                  + ": expected "
                  + escape(e.getValue().asText())
                  + ", got "
                  + escape(actual));
        }
        n++;
      }
    }
    assertThat(mismatches).isEmpty();
    assertThat(n).isEqualTo(30 * 9);
  }

  @Test
  void javaAndPythonWhitespaceDiffer() {
    // the reason for the class: these four are whitespace in Python only
    for (char c : new char[] {'\u0085', '\u00a0', '\u2007', '\u202f'}) {
      assertThat(Character.isWhitespace(c)).isFalse();
      assertThat(PythonStringMethods.isWhitespace(c)).isTrue();
    }
    assertThat(PythonStringMethods.isWhitespace('\u200b')).isFalse();
    assertThat(PythonStringMethods.isWhitespace('\u180e')).isFalse();
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars()
        .forEach(
            ch -> sb.append(ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", ch) : (char) ch));
    return sb.toString();
  }
}
