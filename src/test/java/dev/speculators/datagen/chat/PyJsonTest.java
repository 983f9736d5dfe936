package dev.speculators.datagen.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Expected strings are Python 3 {@code json.dumps(..., ensure_ascii=False)} outputs. */
class PyJsonTest {

  @Test
  void floatsUsePythonRepr() {
    assertThat(PyJson.floatRepr(1e-05)).isEqualTo("1e-05");
    assertThat(PyJson.floatRepr(1e16)).isEqualTo("1e+16");
    assertThat(PyJson.floatRepr(1.5e16)).isEqualTo("1.5e+16");
    assertThat(PyJson.floatRepr(0.1)).isEqualTo("0.1");
    assertThat(PyJson.floatRepr(123456789012345.0)).isEqualTo("123456789012345.0");
    assertThat(PyJson.floatRepr(0.0001)).isEqualTo("0.0001");
    assertThat(PyJson.floatRepr(-2.5e-7)).isEqualTo("-2.5e-07");
    assertThat(PyJson.floatRepr(1e22)).isEqualTo("1e+22");
    assertThat(PyJson.floatRepr(100.0)).isEqualTo("100.0");
    assertThat(PyJson.floatRepr(1.0 / 3)).isEqualTo("0.3333333333333333");
  }

  @Test
  void compactFormHasPythonSpacingAndEscapes() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("b", null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", Arrays.asList(1L, inner));
    m.put("c", "x\u0001\t\"y\u00e9\u2028");
    assertThat(PyJson.dumps(m))
        .isEqualTo("{\"a\": [1, {\"b\": null}], \"c\": \"x\\u0001\\t\\\"y\u00e9\u2028\"}");
  }

  @Test
  void indentedForm() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("b", null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", Arrays.asList(1L, inner));
    m.put("e", List.of());
    m.put("f", Map.of());
    assertThat(PyJson.dumps(m, 2, false))
        .isEqualTo(
            "{\n  \"a\": [\n    1,\n    {\n      \"b\": null\n    }\n  ],\n  \"e\": [],\n  \"f\": {}\n}");
  }
}
