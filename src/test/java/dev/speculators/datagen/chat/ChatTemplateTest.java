package dev.speculators.datagen.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
  static final List<Map<String, Object>> HI = List.of(Map.of("role", "user", "content", "  hi  "));

  static String render(String template, List<Map<String, Object>> messages) {
    return new ChatTemplate(template, Map.of("bos_token", "<s>")).render(messages, false, Map.of());
  }

  @Test
  void raiseExceptionFailsTheRendering() {
    String t =
        "{% if messages[0].role != 'system' %}{{ raise_exception('Conversation must start with system') }}{% endif %}ok";
    assertThatThrownBy(() -> render(t, HI))
        .isInstanceOf(TemplateRenderException.class)
        .hasMessageContaining("Conversation must start with system");
  }

  @Test
  void unknownFunctionIsAnErrorNotSilentText() {
    assertThatThrownBy(() -> render("{{ no_such_function(1) }}", HI))
        .isInstanceOf(TemplateRenderException.class);
  }

  @Test
  void syntaxErrorFails() {
    assertThatThrownBy(() -> render("{% for m in messages %}{{ m.content }}", HI))
        .isInstanceOf(TemplateRenderException.class);
  }

  @Test
  void pythonStringMethods() {
    String t =
        "{{ messages[0].content.strip() }}|{{ messages[0].content.lstrip() }}|"
            + "{{ 'a,b,,c'.split(',')|length }}|{{ 'x</think>y'.split('</think>')[-1] }}|"
            + "{{ 'abc'.startswith('ab') }}|{{ 'abc'.endswith(('x', 'bc')) }}|{{ '--a--'.strip('-') }}|"
            + "{{ 'a b  c'.split()|join('+') }}|{{ 'Hello'.upper() }}";
    assertThat(render(t, HI)).isEqualTo("hi|hi  |4|y|true|true|a|a+b+c|HELLO");
  }

  @Test
  void pythonTrimAndReverseSliceAndNamespaceArithmetic() {
    String t =
        "{%- set ns = namespace(last=messages|length - 1, n=0) %}"
            + "{%- for m in messages[::-1] %}{% set ns.n = ns.n + 1 %}{{ m.role }}{% endfor %}"
            + "|{{ ns.last }}|{{ ns.n }}|{{ messages[0].content|trim }}";
    List<Map<String, Object>> two =
        List.of(
            Map.of("role", "user", "content", "\u3000x\u00a0"),
            Map.of("role", "assistant", "content", "y"));
    assertThat(render(t, two)).isEqualTo("assistantuser|1|2|x");
  }

  @Test
  void whitespaceControlLikeJinja2() {
    // trim_blocks + lstrip_blocks, {{- trims, one trailing newline of the source is dropped
    String t = "{% for m in messages %}\n  {{- m.role }}\n{% endfor %}\n";
    assertThat(render(t, HI)).isEqualTo("user\n");
  }

  @Test
  void toJsonIsPythonJsonDumps() {
    String t = "{{ {'a': 1, 'b': [true, none, 'é']}|tojson }}";
    assertThat(render(t, HI)).isEqualTo("{\"a\": 1, \"b\": [true, null, \"é\"]}");
  }

  @Test
  void loopControlsAndGenerationBlock() {
    String t =
        "{% for i in [1,2,3,4] %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}"
            + "{% generation %}G{% endgeneration %}";
    assertThat(render(t, HI)).isEqualTo("13G");
  }

  @Test
  void rewriterLeavesStringsAndTextAlone() {
    String t = "[::-1] {{ 'x[::-1]' }} {{ f(a=1) }} {% if a == 1 %}{% endif %}";
    assertThat(TemplateRewriter.rewrite(t))
        .isEqualTo("[::-1] {{ 'x[::-1]' }} {{ f(a=(1)) }} {% if a == 1 %}{% endif %}");
  }
}
