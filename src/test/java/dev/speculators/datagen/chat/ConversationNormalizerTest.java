package dev.speculators.datagen.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speculators.datagen.SplitMix64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConversationNormalizerTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String s) throws Exception {
    return JSON.readTree(s.replace('\'', '"'));
  }

  @Test
  void shareGptKeysAndRoles() throws Exception {
    ConversationNormalizer n = new ConversationNormalizer();
    Conversation c =
        n.normalize(
                json(
                    "{'conversations':[{'from':'system','value':'S'},{'from':'human','value':'Q'},"
                        + "{'from':'gpt','value':'A'},{'from':'bing','value':'?'},{'from':'human','value':'Q2'}]}"))
            .orElseThrow();
    assertThat(c.messages())
        .containsExactly(
            new ChatMessage("system", "S"),
            new ChatMessage("user", "Q"),
            new ChatMessage("assistant", "A"));
    assertThat(n.droppedRoles()).isEqualTo(Map.of("bing", 1L));
  }

  @Test
  void contentPartsJoinWithNewlinesAndAnOpeningAssistantTurnStaysAsContext() throws Exception {
    ConversationNormalizer n = new ConversationNormalizer();
    Conversation c =
        n.normalize(
                json(
                    "{'messages':[{'role':'assistant','content':'hello first'},"
                        + "{'role':'user','content':[{'type':'text','text':'a'},{'type':'image'},'b',"
                        + "{'type':'text','text':null}]},"
                        + "{'role':'assistant','content':null}]}"))
            .orElseThrow();
    assertThat(c.messages())
        .containsExactly(
            new ChatMessage("assistant", "hello first"),
            new ChatMessage("user", "a\nb"),
            new ChatMessage("assistant", ""));
    // the opening assistant turn has no prompt: context only, as upstream
    assertThat(c.trainedTurns()).containsExactly(2);
    assertThat(ChatRowBuilder.rowCount(c, false)).isEqualTo(1);
  }

  @Test
  void upstreamKeyOrderReasoningAndToolTurns() throws Exception {
    ConversationNormalizer n = new ConversationNormalizer();
    Conversation c =
        n.normalize(
                json(
                    "{'conversations':[{'from':'human','role':'assistant','value':'','content':'Q'},"
                        + "{'role':'assistant','content':'','tool_calls':[{'type':'function',"
                        + "'function':{'name':'f','arguments':'{\\'x\\': 1}'}}]},"
                        + "{'role':'TOOL','content':'r','tool_call_id':'c1'},"
                        + "{'role':'assistant','content':'A','thinking':'','reasoning_content':'R'}]}"))
            .orElseThrow();
    assertThat(c.messages())
        .extracting(ChatMessage::role)
        .containsExactly("user", "assistant", "tool", "assistant");
    // "from" before "role", "value" before "content", an empty value falls through
    assertThat(c.messages().get(0).content()).isEqualTo("Q");
    assertThat(c.messages().get(3).reasoning()).isEqualTo("R");
    Map<String, Object> call = c.messages().get(1).toMap();
    assertThat(call.get("tool_calls").toString())
        .isEqualTo("[{type=function, function={name=f, arguments={x=1}}}]");
    assertThat(c.messages().get(2).toMap()).containsEntry("tool_call_id", "c1");
    assertThat(c.messages().get(3).toMap())
        .containsEntry("reasoning", "R")
        .containsEntry("reasoning_content", "R");
    assertThat(n.droppedRoles()).isEmpty();
  }

  @Test
  void toolCallArgumentsThatAreNotJsonBecomeAnEmptyObjectAsInVllm() {
    ChatMessage m =
        new ChatMessage(
            "assistant",
            "",
            null,
            List.of(Map.of("function", Map.of("name", "f", "arguments", "{not json"))),
            null);
    @SuppressWarnings("unchecked")
    Map<String, Object> function =
        (Map<String, Object>)
            ((List<Map<String, Object>>) m.toMap().get("tool_calls")).get(0).get("function");
    assertThat(function).containsEntry("name", "f").containsEntry("arguments", Map.of());
  }

  @Test
  void noAssistantMeansNoConversation() throws Exception {
    ConversationNormalizer n = new ConversationNormalizer();
    assertThat(n.normalize(json("{'messages':[{'role':'user','content':'q'}]}"))).isEmpty();
    assertThat(n.recordsWithoutAssistant()).isEqualTo(1);
  }

  @Test
  void missingKeysAreNamed() {
    ConversationNormalizer n = new ConversationNormalizer();
    assertThatThrownBy(() -> n.normalize(json("{'prompt':'x','id':1}")))
        .hasMessageContaining("\"conversations\" or \"messages\"")
        .hasMessageContaining("prompt, id");
    assertThatThrownBy(() -> n.normalize(json("{'messages':[{'content':'x'}]}")))
        .hasMessageContaining("turn 0 has no \"role\"");
  }

  @Test
  void turnDropoutIsSeededAndFollowsUpstreamRule() {
    Conversation c =
        new Conversation(
            List.of(
                new ChatMessage("system", "s"),
                new ChatMessage("user", "u1"),
                new ChatMessage("assistant", "a1"),
                new ChatMessage("user", "u2"),
                new ChatMessage("assistant", "a2"),
                new ChatMessage("user", "u3"),
                new ChatMessage("assistant", "a3")));
    Set<Integer> lengths = new HashSet<>();
    for (long id = 0; id < 200; id++) {
      Conversation a = TurnDropout.apply(c, SplitMix64.derive(7, "dropout", id));
      Conversation b = TurnDropout.apply(c, SplitMix64.derive(7, "dropout", id));
      assertThat(a).isEqualTo(b);
      assertThat(a.messages().get(a.messages().size() - 1).isAssistant()).isTrue();
      lengths.add(a.messages().size());
    }
    // keep in 1..7 → cut after the first assistant at index >= keep-1: indexes 2, 4 or 6
    assertThat(lengths).containsExactlyInAnyOrder(3, 5, 7);
  }

  @Test
  void dropoutKeepDistribution() {
    // keep=1..3 → first assistant (3 turns); keep=4,5 → second (5); keep=6,7 → third (7)
    Conversation c =
        new Conversation(
            List.of(
                new ChatMessage("system", "s"),
                new ChatMessage("user", "u1"),
                new ChatMessage("assistant", "a1"),
                new ChatMessage("user", "u2"),
                new ChatMessage("assistant", "a2"),
                new ChatMessage("user", "u3"),
                new ChatMessage("assistant", "a3")));
    int[] counts = new int[8];
    int trials = 70000;
    for (int id = 0; id < trials; id++) {
      counts[TurnDropout.apply(c, SplitMix64.derive(1, "d", id)).messages().size()]++;
    }
    assertThat(counts[3] / (double) trials)
        .isCloseTo(3 / 7.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(counts[5] / (double) trials)
        .isCloseTo(2 / 7.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(counts[7] / (double) trials)
        .isCloseTo(2 / 7.0, org.assertj.core.data.Offset.offset(0.01));
  }
}
