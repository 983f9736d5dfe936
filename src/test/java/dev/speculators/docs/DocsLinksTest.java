package dev.speculators.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every relative link of the README and docs/ points at a file and heading that exist. */
class DocsLinksTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();

  @Test
  void everyRelativeLinkResolves() {
    List<Path> files = MarkdownDocs.files(ROOT);
    assertThat(files).as("docs pages").hasSizeGreaterThan(5);
    assertThat(brokenLinks(ROOT, files)).isEmpty();
  }

  @Test
  void everyDocsPageIsReachableFromTheIndex() {
    Path index = ROOT.resolve("docs/README.md");
    List<String> targets =
        MarkdownDocs.links(MarkdownDocs.prose(index, MarkdownDocs.read(index))).stream()
            .map(l -> l.target().replaceFirst("#.*", ""))
            .toList();
    for (Path page : MarkdownDocs.files(ROOT)) {
      if (page.getParent().equals(ROOT.resolve("docs")) && !page.equals(index)) {
        assertThat(targets)
            .as("docs/README.md links " + page.getFileName())
            .contains(page.getFileName().toString());
      }
    }
  }

  @Test
  void reportsMissingFilesAndHeadingsWithTheirLine(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(
        dir.resolve("README.md"),
        String.join(
            "\n",
            "# Title",
            "See [the page](docs/page.md#a-b-c), [gone](docs/gone.md) and [top](#title).",
            "```",
            "[not a link](nowhere.md)",
            "```",
            "`[code](nowhere.md)` and [web](https://example.com/x.md)",
            "[bad anchor](docs/page.md#nope)"));
    Files.writeString(dir.resolve("docs/page.md"), "# Page\n## A, b: `c`\n[up](../README.md)\n");
    assertThat(brokenLinks(dir, MarkdownDocs.files(dir)))
        .containsExactly(
            "README.md:2: docs/gone.md (no such file)",
            "README.md:7: docs/page.md#nope (no heading with that anchor)");
  }

  @Test
  void anchorsFollowGitHub() {
    assertThat(MarkdownDocs.slug("Correctness: `verify-golden`"))
        .isEqualTo("correctness-verify-golden");
    assertThat(MarkdownDocs.slug("`--data` values")).isEqualTo("--data-values");
    assertThat(MarkdownDocs.slug("Layer ids (what goes into `eagle_aux_hidden_state_layer_ids`)"))
        .isEqualTo("layer-ids-what-goes-into-eagle_aux_hidden_state_layer_ids");
    assertThat(MarkdownDocs.slug("_Emphasis_ and snake_case")).isEqualTo("emphasis-and-snake_case");
    assertThat(MarkdownDocs.slug("Train/validation split")).isEqualTo("trainvalidation-split");
    assertThat(MarkdownDocs.slug("The tiny example target: `examples/local/`"))
        .isEqualTo("the-tiny-example-target-exampleslocal");
    List<MarkdownDocs.Line> twice =
        List.of(
            new MarkdownDocs.Line(Path.of("x.md"), 1, "## Benchmark"),
            new MarkdownDocs.Line(Path.of("x.md"), 2, "### Benchmark"));
    assertThat(MarkdownDocs.anchors(twice)).containsExactly("benchmark", "benchmark-1");
  }

  /** "file:line: target (why)" for every relative link that does not resolve. */
  static List<String> brokenLinks(Path root, List<Path> files) {
    List<String> broken = new ArrayList<>();
    for (Path file : files) {
      List<MarkdownDocs.Line> prose = MarkdownDocs.prose(file, MarkdownDocs.read(file));
      for (MarkdownDocs.Link link : MarkdownDocs.links(prose)) {
        String target = link.target();
        if (MarkdownDocs.isExternal(target)) {
          continue;
        }
        String where = root.relativize(file) + ":" + link.line().number() + ": " + target;
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
        if (!resolved.startsWith(root)) {
          broken.add(where + " (outside the repository)");
        } else if (!Files.exists(resolved)) {
          broken.add(where + " (no such file)");
        } else if (anchor != null && !anchor.isEmpty()) {
          if (!resolved.toString().endsWith(".md")) {
            broken.add(where + " (anchor into a file that is not Markdown)");
            continue;
          }
          Set<String> anchors =
              MarkdownDocs.anchors(MarkdownDocs.prose(resolved, MarkdownDocs.read(resolved)));
          if (!anchors.contains(anchor)) {
            broken.add(where + " (no heading with that anchor)");
          }
        }
      }
    }
    return broken;
  }
}
