package dev.speculators.datagen.vllm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.datagen.GenerationException;
import dev.speculators.datagen.chat.ChatRenderer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders with the vLLM server's own chat template and tokenizer ({@code POST /tokenize} with
 * {@code messages}), so that masks line up with exactly the prompts the server would build.
 *
 * <p>Messages go out in the OpenAI request shape: tool-call arguments as JSON strings (the server
 * parses them back into objects before templating, and rejects objects there). Reasoning goes out
 * as {@code reasoning} and {@code reasoning_content}: vLLM reads the first, older servers the
 * second, and the template sees both.
 */
public final class VllmTokenizeRenderer implements ChatRenderer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final VllmClient client;
  private final String model;
  private final Map<String, Object> templateKwargs;

  public VllmTokenizeRenderer(VllmClient client, String model, Map<String, Object> templateKwargs) {
    this.client = client;
    this.model = model;
    this.templateKwargs = templateKwargs == null ? Map.of() : Map.copyOf(templateKwargs);
  }

  @Override
  public long[] render(List<Map<String, Object>> messages, boolean addGenerationPrompt)
      throws GenerationException, InterruptedException {
    List<Map<String, Object>> request = new ArrayList<>(messages.size());
    for (Map<String, Object> m : messages) {
      request.add(requestShape(m));
    }
    return client.tokenizeChat(model, request, addGenerationPrompt, templateKwargs);
  }

  /** {@code m} with the arguments of its tool calls as JSON strings. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> requestShape(Map<String, Object> m) {
    if (!(m.get("tool_calls") instanceof List<?> calls)) {
      return m;
    }
    List<Object> out = new ArrayList<>(calls.size());
    for (Object call : calls) {
      if (call instanceof Map<?, ?> c
          && c.get("function") instanceof Map<?, ?> f
          && !(f.get("arguments") instanceof String)
          && f.get("arguments") != null) {
        Map<String, Object> function = new LinkedHashMap<>((Map<String, Object>) f);
        try {
          function.put("arguments", JSON.writeValueAsString(f.get("arguments")));
        } catch (JsonProcessingException e) {
          throw new IllegalArgumentException("tool call arguments are not JSON: " + e, e);
        }
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) c);
        copy.put("function", function);
        out.add(copy);
      } else {
        out.add(call);
      }
    }
    Map<String, Object> copy = new LinkedHashMap<>(m);
    copy.put("tool_calls", out);
    return copy;
  }

  @Override
  public String description() {
    return "vLLM /tokenize at " + client.base();
  }
}
