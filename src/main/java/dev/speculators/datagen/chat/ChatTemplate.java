package dev.speculators.datagen.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * A Hugging Face chat template rendered with Jinjava the way transformers renders it with jinja2:
 * {@code trim_blocks}, {@code lstrip_blocks}, loop controls, {@code raise_exception}, {@code
 * strftime_now}, a {@code tojson} that is Python's {@code json.dumps}, Python string methods, and
 * the {@code {% generation %}} block. Any Jinjava error fails the rendering: Jinjava may return
 * plausible text together with fatal errors, and a silently wrong rendering would poison every loss
 * mask of the dataset.
 *
 * <p>Instances are thread-safe; each {@link #render} call uses a fresh interpreter.
 */
public final class ChatTemplate {
  private static final ThreadLocal<String> RAISED = new ThreadLocal<>();

  private final String source;
  private final String jinjavaSource;
  private final Map<String, Object> specialTokens;
  private final Jinjava jinjava;
  private final Node parsed;

  /**
   * @param source the template text from {@code tokenizer_config.json} or {@code
   *     chat_template.jinja}
   * @param specialTokens {@code bos_token}, {@code eos_token}, ... as the template sees them
   */
  public ChatTemplate(String source, Map<String, Object> specialTokens) {
    this.source = source;
    this.jinjavaSource = TemplateRewriter.rewrite(withoutTrailingNewline(source));
    this.specialTokens = Map.copyOf(withoutNulls(specialTokens));
    this.jinjava = newJinjava();
    // Parsing once (not on every render) matters: the datagen worker renders twice per row.
    JinjavaInterpreter parser = newInterpreter(Map.of());
    this.parsed = parser.parse(jinjavaSource);
    if (!parser.getErrors().isEmpty()) {
      throw new TemplateRenderException(
          "chat template does not parse: " + describe(parser.getErrorsCopy()), null);
    }
  }

  /**
   * A fresh interpreter over a copy of the global context: Jinjava records state in parent
   * contexts.
   */
  private JinjavaInterpreter newInterpreter(Map<String, Object> bindings) {
    JinjavaConfig config = jinjava.getGlobalConfig();
    Context context = new Context(jinjava.getGlobalContextCopy(), bindings, config.getDisabled());
    return new VerbatimStringInterpreter(jinjava, context, config);
  }

  /**
   * Prints strings as they are. Jinjava's Python-like printing serialises every value to JSON and
   * unescapes only some escapes, so a control character such as U+001C in a message came out as the
   * six characters {@code \u001C}; jinja2 prints the character.
   */
  private static final class VerbatimStringInterpreter extends JinjavaInterpreter {
    VerbatimStringInterpreter(Jinjava jinjava, Context context, JinjavaConfig config) {
      super(jinjava, context, config);
    }

    @Override
    public String getAsString(Object value) {
      if (value instanceof String || value instanceof SafeString) {
        return value.toString();
      }
      return super.getAsString(value);
    }
  }

  private static String describe(List<TemplateError> errors) {
    List<String> out = new ArrayList<>();
    for (TemplateError e : errors) {
      out.add(e.getSeverity() + " at line " + e.getLineno() + ": " + e.getMessage());
    }
    return String.join("; ", out);
  }

  public String source() {
    return source;
  }

  /**
   * Renders {@code messages} (maps with at least {@code role} and {@code content}).
   *
   * @param kwargs extra template variables ({@code enable_thinking}, {@code tools}, ...)
   * @throws TemplateRenderException on any template error, including {@code raise_exception}
   */
  public String render(
      List<Map<String, Object>> messages, boolean addGenerationPrompt, Map<String, Object> kwargs) {
    Map<String, Object> bindings = new HashMap<>(specialTokens);
    bindings.put("messages", messages);
    bindings.put("add_generation_prompt", addGenerationPrompt);
    if (kwargs != null) {
      bindings.putAll(kwargs);
    }
    RAISED.remove();
    JinjavaInterpreter interpreter = newInterpreter(bindings);
    String output;
    String raised;
    JinjavaInterpreter.pushCurrent(interpreter);
    try {
      output = interpreter.render(parsed, true);
    } catch (RuntimeException e) {
      throw new TemplateRenderException("chat template failed: " + e.getMessage(), e);
    } finally {
      JinjavaInterpreter.popCurrent();
      raised = RAISED.get();
      RAISED.remove();
    }
    if (raised != null) {
      throw new TemplateRenderException("chat template raised an exception: " + raised, null);
    }
    if (!interpreter.getErrors().isEmpty()) {
      throw new TemplateRenderException(
          "chat template failed: " + describe(interpreter.getErrorsCopy()), null);
    }
    return output;
  }

  private Jinjava newJinjava() {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    JinjavaConfig config =
        JinjavaConfig.newBuilder()
            .withTrimBlocks(true)
            .withLstripBlocks(true)
            .withKeepTrailingNewline(true)
            .withElResolver(resolver)
            .withFailOnUnknownTokens(false)
            .withLegacyOverrides(
                LegacyOverrides.newBuilder()
                    .withUseTrimmingForNotesAndExpressions(true)
                    .withParseWhitespaceControlStrictly(true)
                    .withUseNaturalOperatorPrecedence(true)
                    .withKeepNullableLoopValues(true)
                    .withAllowAdjacentTextNodes(true)
                    .withEvaluateMapKeys(true)
                    .withUsePyishObjectMapper(true)
                    .build())
            .build();
    Jinjava j = new Jinjava(config);
    j.registerFilter(new NamedFilter("tojson", ChatTemplate::toJsonFilter));
    j.registerFilter(
        new NamedFilter(
            "trim",
            (v, args, kw) -> {
              Object chars = kw.getOrDefault("chars", args.length > 0 ? args[0] : null);
              return PythonStringMethods.strip(
                  str(v), chars == null ? null : chars.toString(), true, true);
            }));
    try {
      j.registerFunction(
          new ELFunctionDefinition(
              "",
              "raise_exception",
              ChatTemplate.class.getDeclaredMethod("raiseException", Object.class)));
      j.registerFunction(
          new ELFunctionDefinition(
              "",
              "strftime_now",
              ChatTemplate.class.getDeclaredMethod("strftimeNow", String.class)));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    j.registerTag(new GenerationTag());
    return j;
  }

  private static Object toJsonFilter(Object value, Object[] args, Map<String, Object> kwargs) {
    Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
    Object sortKeys = kwargs.getOrDefault("sort_keys", Boolean.FALSE);
    Integer ind = indent == null ? null : ((Number) indent).intValue();
    return PyJson.dumps(value, ind, Boolean.TRUE.equals(sortKeys));
  }

  private static String str(Object v) {
    return v == null ? "None" : v.toString();
  }

  /** {@code raise_exception(message)}: records the message so that the rendering fails with it. */
  public static String raiseException(Object message) {
    RAISED.set(String.valueOf(message));
    throw new IllegalStateException(String.valueOf(message));
  }

  /** {@code strftime_now(format)} with the C/Python directives templates use for dates. */
  public static String strftimeNow(String format) {
    ZonedDateTime now = ZonedDateTime.now();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 == format.length()) {
        sb.append(c);
        continue;
      }
      char d = format.charAt(++i);
      String pattern =
          switch (d) {
            case 'd' -> "dd";
            case 'm' -> "MM";
            case 'Y' -> "yyyy";
            case 'y' -> "yy";
            case 'b' -> "MMM";
            case 'B' -> "MMMM";
            case 'a' -> "EEE";
            case 'A' -> "EEEE";
            case 'H' -> "HH";
            case 'M' -> "mm";
            case 'S' -> "ss";
            default -> null;
          };
      if (d == '%') {
        sb.append('%');
      } else if (d == '-' && i + 1 < format.length()) {
        char e = format.charAt(++i);
        sb.append(
            switch (e) {
              case 'd' -> String.valueOf(now.getDayOfMonth());
              case 'm' -> String.valueOf(now.getMonthValue());
              default -> "%-" + e;
            });
      } else if (pattern == null) {
        sb.append('%').append(d);
      } else {
        sb.append(now.format(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH)));
      }
    }
    return sb.toString();
  }

  /**
   * jinja2 drops a single trailing newline of the template source ({@code
   * keep_trailing_newline=False}).
   */
  private static String withoutTrailingNewline(String s) {
    if (s.endsWith("\r\n")) {
      return s.substring(0, s.length() - 2);
    }
    return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static Map<String, Object> withoutNulls(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (m != null) {
      m.forEach(
          (k, v) -> {
            if (v != null) {
              out.put(k, v);
            }
          });
    }
    return out;
  }

  /** A filter from a lambda over positional and keyword arguments. */
  private record NamedFilter(String name, FilterFn fn) implements Filter {
    @Override
    public String getName() {
      return name;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
      return fn.apply(var, args, Map.of());
    }

    @Override
    public Object filter(
        Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
      return fn.apply(var, args == null ? new Object[0] : args, kwargs == null ? Map.of() : kwargs);
    }
  }

  @FunctionalInterface
  private interface FilterFn {
    Object apply(Object value, Object[] args, Map<String, Object> kwargs);
  }

  /**
   * transformers' {@code {% generation %}} block (assistant-mask tracking): renders its body
   * unchanged.
   */
  private static final class GenerationTag implements Tag {
    private static final long serialVersionUID = 1L;

    @Override
    public String getName() {
      return "generation";
    }

    @Override
    public String getEndTagName() {
      return "endgeneration";
    }

    @Override
    public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
      StringBuilder sb = new StringBuilder();
      for (Node child : tagNode.getChildren()) {
        sb.append(child.render(interpreter).getValue());
      }
      return sb.toString();
    }
  }
}
