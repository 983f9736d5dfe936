package dev.speculators.datagen.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a normalised conversation: role {@code system}, {@code user}, {@code assistant} or
 * {@code tool}, its text, and what upstream speculators keeps besides: the assistant's reasoning
 * ({@code reasoning_content} or {@code thinking} in the record), its {@code tool_calls}, and a tool
 * turn's {@code tool_call_id}.
 *
 * @param reasoning the assistant's reasoning, or null
 * @param toolCalls the assistant's tool calls as the record has them (OpenAI shape), or null
 * @param toolCallId the call a tool turn answers, or null
 */
public record ChatMessage(
    String role,
    String content,
    String reasoning,
    List<Map<String, Object>> toolCalls,
    String toolCallId) {
  public static final String SYSTEM = "system";
  public static final String USER = "user";
  public static final String ASSISTANT = "assistant";
  public static final String TOOL = "tool";

  /** Strict like Python's {@code json.loads}: trailing content is an error. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
    toolCalls = toolCalls == null ? null : List.copyOf(toolCalls);
  }

  public ChatMessage(String role, String content) {
    this(role, content, null, null, null);
  }

  public boolean isAssistant() {
    return ASSISTANT.equals(role);
  }

  /**
   * The message as vLLM hands it to the chat template (its {@code _parse_chat_message_content} and
   * {@code _postprocess_messages}): reasoning under both {@code reasoning} and {@code
   * reasoning_content} and tool calls on assistant turns only, tool-call arguments given as a JSON
   * string parsed into an object ({@code {}} when they are not JSON), {@code tool_call_id} on tool
   * turns only.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    if (isAssistant()) {
      if (toolCalls != null && !toolCalls.isEmpty()) {
        List<Map<String, Object>> calls = new ArrayList<>(toolCalls.size());
        for (Map<String, Object> call : toolCalls) {
          calls.add(withParsedArguments(call));
        }
        m.put("tool_calls", calls);
      }
      if (reasoning != null) {
        m.put("reasoning", reasoning);
        m.put("reasoning_content", reasoning);
      }
    }
    if (TOOL.equals(role) && toolCallId != null) {
      m.put("tool_call_id", toolCallId);
    }
    return m;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> withParsedArguments(Map<String, Object> call) {
    if (!(call.get("function") instanceof Map<?, ?> f)) {
      return call;
    }
    Map<String, Object> function = new LinkedHashMap<>((Map<String, Object>) f);
    Object args = function.get("arguments");
    if (args instanceof String s) {
      try {
        args = JSON.readValue(s, new TypeReference<Object>() {});
      } catch (JsonProcessingException e) {
        args = new LinkedHashMap<>();
      }
    } else if (!(args instanceof Map<?, ?> || args instanceof List<?>)) {
      args = new LinkedHashMap<>();
    }
    function.put("arguments", args);
    Map<String, Object> out = new LinkedHashMap<>(call);
    out.put("function", function);
    return out;
  }
}
