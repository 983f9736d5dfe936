package dev.speculators.api.validation;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** Reads the resources of a YAML (or JSON) file that may hold several {@code ---} documents. */
public final class ResourceDocuments {
  private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory());

  private ResourceDocuments() {}

  /**
   * One resource of a file.
   *
   * @param source file name (or another label) of the input
   * @param index position among the file's non-empty documents, from 0
   * @param line line where the document starts, from 1
   * @param node the document
   */
  public record Document(String source, int index, int line, JsonNode node) {
    /** {@code file (document 2, line 14)}, for messages. */
    public String location() {
      return source + " (document " + (index + 1) + ", line " + line + ")";
    }
  }

  /** All non-empty documents of a file. */
  public static List<Document> read(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return read(file.toString(), r);
    }
  }

  /** All non-empty documents of a string. */
  public static List<Document> read(String source, String text) throws IOException {
    return read(source, new StringReader(text));
  }

  private static List<Document> read(String source, Reader reader) throws IOException {
    List<Document> docs = new ArrayList<>();
    try (JsonParser parser = MAPPER.getFactory().createParser(reader);
        MappingIterator<JsonNode> it = MAPPER.readerFor(JsonNode.class).readValues(parser)) {
      while (it.hasNextValue()) {
        JsonLocation start = parser.currentTokenLocation();
        JsonNode node = it.nextValue();
        if (node == null
            || node.isNull()
            || node.isMissingNode()
            || (node.isObject() && node.isEmpty())) {
          continue;
        }
        docs.add(new Document(source, docs.size(), Math.max(1, start.getLineNr()), node));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IOException(syntaxError(source, e), e);
    }
    return docs;
  }

  /**
   * One line for a syntax error: where, then the YAML parser's problem and its context ("while
   * parsing a flow sequence started at line 3"), without the parser's multi-line excerpt.
   */
  private static String syntaxError(
      String source, com.fasterxml.jackson.core.JsonProcessingException e) {
    if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
      Mark at = y.getProblemMark();
      String context =
          y.getContext() == null
              ? ""
              : " ("
                  + y.getContext()
                  + (y.getContextMark() == null
                      ? ""
                      : " started at line "
                          + (y.getContextMark().getLine() + 1)
                          + ", column "
                          + (y.getContextMark().getColumn() + 1))
                  + ")";
      return source
          + " line "
          + (at.getLine() + 1)
          + ", column "
          + (at.getColumn() + 1)
          + ": "
          + y.getProblem()
          + context;
    }
    JsonLocation loc = e.getLocation();
    return source
        + (loc == null ? "" : " line " + loc.getLineNr())
        + ": "
        + e.getOriginalMessage().replaceAll("\\s*\\R\\s*", " ");
  }
}
