package dev.speculators.engine.tiny;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.datagen.chat.ChatMessage;
import dev.speculators.datagen.chat.Conversation;
import dev.speculators.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The example pipeline's data, from the same generator the tiny target learned from (other seeds):
 * {@code conversations.jsonl} ({@code {"messages": [{"role", "content"}, ...]}}, the
 * HiddenStateDataset's source) and {@code prompts.jsonl} ({@code {"prompt": "..."}}, the
 * evaluation's questions).
 */
public final class TinyCorpusFiles {
  public static final String CONVERSATIONS = "conversations.jsonl";
  public static final String PROMPTS = "prompts.jsonl";

  private static final ObjectMapper JSON = new ObjectMapper();

  private TinyCorpusFiles() {}

  /** Stream seeds: the target trains on {@code seed}, conversations use +1, prompts +2. */
  public static void write(Path dir, long seed, int conversations, int prompts) throws IOException {
    TinyCorpus convs = new TinyCorpus(seed + 1);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < conversations; i++) {
      Conversation c = convs.nextConversation();
      ObjectNode record = JSON.createObjectNode();
      ArrayNode messages = record.putArray("messages");
      for (ChatMessage m : c.messages()) {
        messages.addObject().put("role", m.role()).put("content", m.content());
      }
      b.append(JSON.writeValueAsString(record)).append('\n');
    }
    AtomicFiles.writeString(dir.resolve(CONVERSATIONS), b.toString());
    TinyCorpus questions = new TinyCorpus(seed + 2);
    StringBuilder p = new StringBuilder();
    for (int i = 0; i < prompts; i++) {
      p.append(
              JSON.writeValueAsString(
                  JSON.createObjectNode().put("prompt", questions.nextExchange().question())))
          .append('\n');
    }
    AtomicFiles.writeString(dir.resolve(PROMPTS), p.toString());
  }
}
