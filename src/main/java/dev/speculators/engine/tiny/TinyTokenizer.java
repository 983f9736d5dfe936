package dev.speculators.engine.tiny;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.speculators.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tiny target's tokenizer and chat template, as Hugging Face files: a word-level {@code
 * tokenizer.json} (lower-casing, split on whitespace and punctuation, special tokens matched first)
 * that DJL's tokenizers binding and transformers both load, and a {@code tokenizer_config.json}
 * whose {@code chat_template} renders
 *
 * <pre>
 * &lt;s&gt;&lt;|user|&gt; question &lt;|end|&gt;
 * &lt;|assistant|&gt; answer &lt;|end|&gt;
 * </pre>
 *
 * (a generation prompt is {@code <|assistant|>}); {@code <|end|>} ends every turn and is the
 * end-of-sequence token.
 */
public final class TinyTokenizer {
  public static final String PAD = "<pad>";
  public static final String UNK = "<unk>";
  public static final String BOS = "<s>";
  public static final String EOS_TEXT = "</s>";
  public static final String END = "<|end|>";
  static final List<String> SPECIALS =
      List.of(PAD, UNK, BOS, EOS_TEXT, "<|system|>", "<|user|>", "<|assistant|>", END);

  /** The chat template (Jinja, as transformers renders it). */
  public static final String CHAT_TEMPLATE =
      "{{ bos_token }}{% for message in messages %}"
          + "{{ '<|' + message['role'] + '|> ' + message['content'] + ' <|end|>\\n' }}"
          + "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Map<String, Integer> vocab;

  private TinyTokenizer(Map<String, Integer> vocab) {
    this.vocab = vocab;
  }

  /** Special tokens first (ids 0..7), then the corpus words in sorted order. */
  public static TinyTokenizer forCorpus() {
    Map<String, Integer> v = new LinkedHashMap<>();
    for (String s : SPECIALS) {
      v.put(s, v.size());
    }
    for (String w : TinyCorpus.words()) {
      v.putIfAbsent(w, v.size());
    }
    return new TinyTokenizer(v);
  }

  public int vocabSize() {
    return vocab.size();
  }

  public int id(String token) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException("not in the vocabulary: " + token);
    }
    return id;
  }

  /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
  public void write(Path dir) throws IOException {
    AtomicFiles.writeString(
        dir.resolve("tokenizer.json"), JSON.writeValueAsString(tokenizerJson()) + "\n");
    AtomicFiles.writeString(
        dir.resolve("tokenizer_config.json"), JSON.writeValueAsString(tokenizerConfig()) + "\n");
  }

  ObjectNode tokenizerJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (String s : SPECIALS) {
      ObjectNode t = added.addObject();
      t.put("id", vocab.get(s));
      t.put("content", s);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.putObject("normalizer").put("type", "Lowercase");
    root.putObject("pre_tokenizer").put("type", "Whitespace");
    root.putNull("post_processor");
    root.putNull("decoder");
    ObjectNode model = root.putObject("model");
    model.put("type", "WordLevel");
    ObjectNode v = model.putObject("vocab");
    vocab.forEach(v::put);
    model.put("unk_token", UNK);
    return root;
  }

  ObjectNode tokenizerConfig() {
    ObjectNode c = JSON.createObjectNode();
    ObjectNode decoder = c.putObject("added_tokens_decoder");
    for (String s : SPECIALS) {
      ObjectNode t = decoder.putObject(Integer.toString(vocab.get(s)));
      t.put("content", s);
      t.put("lstrip", false);
      t.put("normalized", false);
      t.put("rstrip", false);
      t.put("single_word", false);
      t.put("special", true);
    }
    c.put("bos_token", BOS);
    c.put("eos_token", END);
    c.put("pad_token", PAD);
    c.put("unk_token", UNK);
    c.put("chat_template", CHAT_TEMPLATE);
    c.put("clean_up_tokenization_spaces", false);
    c.put("model_max_length", 512);
    c.put("tokenizer_class", "PreTrainedTokenizerFast");
    return c;
  }

  /** The vocabulary in id order. */
  public List<String> tokens() {
    return new ArrayList<>(vocab.keySet());
  }
}
