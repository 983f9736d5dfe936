package dev.speculators.io.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfHubTest {
  private static final String DS = "org/bench";
  private static final String MODEL = "org/tiny-model";

  @TempDir Path cache;
  private FakeHubServer hub;
  private final List<String> log = Collections.synchronizedList(new ArrayList<>());
  private byte[] weights;

  @BeforeEach
  void setUp() throws IOException {
    weights = new byte[200_000];
    new Random(7).nextBytes(weights);
    hub = new FakeHubServer();
    hub.addFile(RepoType.DATASET, DS, "math.jsonl", "{\"prompt\":\"1+1\"}\n")
        .addFile(RepoType.DATASET, DS, "code.jsonl", "{\"prompt\":\"def\"}\n")
        .addFile(RepoType.DATASET, DS, "README.md", "# bench\n")
        .addFile(RepoType.DATASET, DS, "sub/dir/extra.jsonl", "{}\n")
        .addFile(RepoType.MODEL, MODEL, "config.json", "{\"hidden_size\":8}")
        .addFile(RepoType.MODEL, MODEL, "model.safetensors", weights, true);
  }

  @AfterEach
  void tearDown() {
    hub.close();
  }

  private HfHub client(String token, boolean offline) {
    return new HfHub(hub.endpoint(), token, cache, offline, fastOptions());
  }

  private HfHub.Options fastOptions() {
    return HfHub.Options.defaults()
        .withRetries(3, Duration.ofMillis(10))
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(500))
        .withLog(log::add);
  }

  @Test
  void listsFilesOfModelsAndDatasetsSorted() throws IOException {
    assertThat(client(null, false).listFiles(RepoType.DATASET, DS, null))
        .containsExactly("README.md", "code.jsonl", "math.jsonl", "sub/dir/extra.jsonl");
    assertThat(client(null, false).listFiles(RepoType.MODEL, MODEL, "main"))
        .containsExactly("config.json", "model.safetensors");
    assertThat(hub.requests().get(0).path()).isEqualTo("/api/datasets/org/bench/revision/main");
  }

  @Test
  void listsFilesThroughThePaginatedTreeApiWhenInfoHasNoSiblings() throws IOException {
    hub.treeApiOnly();
    assertThat(client(null, false).listFiles(RepoType.DATASET, DS, "main"))
        .containsExactly("README.md", "code.jsonl", "math.jsonl", "sub/dir/extra.jsonl");
    assertThat(hub.requests()).filteredOn(r -> r.path().contains("/tree/")).hasSize(2);
  }

  @Test
  void downloadsIntoTheHubCacheLayoutAndRecordsTheRef() throws IOException {
    Path file = client(null, false).download(RepoType.DATASET, DS, "main", "math.jsonl");
    String commit = hub.commitOf(RepoType.DATASET, DS);
    Path repoDir = cache.resolve("datasets--org--bench");
    assertThat(Files.readString(file)).isEqualTo("{\"prompt\":\"1+1\"}\n");
    assertThat(file).isEqualTo(repoDir.resolve("snapshots").resolve(commit).resolve("math.jsonl"));
    assertThat(Files.isSymbolicLink(file)).isTrue();
    assertThat(Files.readSymbolicLink(file).isAbsolute()).isFalse();
    assertThat(Files.readString(repoDir.resolve("refs/main"))).isEqualTo(commit);
    try (var blobs = Files.list(repoDir.resolve("blobs"))) {
      assertThat(blobs.map(p -> p.getFileName().toString())).singleElement().asString().hasSize(40);
    }

    Path nested = client(null, false).download(RepoType.DATASET, DS, null, "sub/dir/extra.jsonl");
    assertThat(Files.readString(nested)).isEqualTo("{}\n");
    assertThat(nested).endsWithRaw(Path.of(commit, "sub", "dir", "extra.jsonl"));
  }

  @Test
  void largeFilesFollowTheCdnRedirectWithoutSendingTheTokenThere() throws IOException {
    hub.gate(RepoType.MODEL, MODEL, "hf_secret");
    Path file =
        client("hf_secret", false).download(RepoType.MODEL, MODEL, "main", "model.safetensors");
    assertThat(Files.readAllBytes(file)).isEqualTo(weights);
    String sha = FakeHubServer.hex("SHA-256", weights);
    assertThat(Files.isSameFile(file, cache.resolve("models--org--tiny-model/blobs/" + sha)))
        .isTrue();
    assertThat(hub.requests())
        .filteredOn(r -> r.path().contains("/resolve/"))
        .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer hf_secret"));
    assertThat(hub.requests())
        .filteredOn(r -> r.path().startsWith("/cdn/"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.authorization()).isNull());
    assertThat(log).anyMatch(l -> l.startsWith("downloaded org/tiny-model/model.safetensors"));
  }

  @Test
  void resumesWithARangeRequestAfterTheConnectionIsCut() throws IOException {
    hub.cutDownloads(50_000, 1);
    Path file = client(null, false).download(RepoType.MODEL, MODEL, "main", "model.safetensors");
    assertThat(Files.readAllBytes(file)).isEqualTo(weights);
    List<String> ranges =
        hub.requests().stream()
            .filter(r -> r.method().equals("GET") && r.path().startsWith("/cdn/"))
            .map(FakeHubServer.Seen::range)
            .toList();
    assertThat(ranges).hasSize(2);
    assertThat(ranges.get(0)).isNull();
    // the client resumes from what it received: at most what was sent before the cut
    long resumedAt = Long.parseLong(ranges.get(1).replaceAll("bytes=(\\d+)-", "$1"));
    assertThat(resumedAt).isPositive().isLessThanOrEqualTo(50_000);
    assertThat(log)
        .anyMatch(l -> l.contains("interrupted at") && l.contains("resuming (attempt 2 of 3)"));
  }

  @Test
  void aLaterRunResumesThePartialFileOfAFailedOne() throws IOException {
    hub.cutDownloads(30_000, 3); // more cuts than the 3 attempts of one call
    assertThatThrownBy(
            () -> client(null, false).download(RepoType.MODEL, MODEL, "main", "model.safetensors"))
        .isInstanceOf(HfHubException.class)
        .hasMessageContaining("model.safetensors")
        .hasMessageContaining("partial file is kept");
    String sha = FakeHubServer.hex("SHA-256", weights);
    Path partial = cache.resolve("models--org--tiny-model/blobs/" + sha + ".incomplete");
    long kept = Files.size(partial);
    assertThat(kept).isPositive().isLessThanOrEqualTo(90_000);

    hub.clearRequests();
    Path file = client(null, false).download(RepoType.MODEL, MODEL, "main", "model.safetensors");
    assertThat(Files.readAllBytes(file)).isEqualTo(weights);
    assertThat(partial).doesNotExist();
    assertThat(hub.requests())
        .filteredOn(r -> r.method().equals("GET") && r.path().startsWith("/cdn/"))
        .extracting(FakeHubServer.Seen::range)
        .containsExactly("bytes=" + kept + "-");
  }

  @Test
  void aStalledConnectionIsAbandonedAndResumed() throws IOException {
    hub.stallDownloads(10_000, 1, 2_000);
    Path file = client(null, false).download(RepoType.MODEL, MODEL, "main", "model.safetensors");
    assertThat(Files.readAllBytes(file)).isEqualTo(weights);
    assertThat(log).anyMatch(l -> l.contains("no data for"));
  }

  @Test
  void aCachedFileIsReusedWithoutDownloadingAgain() throws IOException {
    HfHub client = client(null, false);
    Path first = client.download(RepoType.MODEL, MODEL, "main", "model.safetensors");
    hub.clearRequests();
    Path second = client.download(RepoType.MODEL, MODEL, "main", "model.safetensors");
    assertThat(second).isEqualTo(first);
    assertThat(hub.requests()).extracting(FakeHubServer.Seen::method).containsExactly("HEAD");

    hub.clearRequests();
    String commit = hub.commitOf(RepoType.MODEL, MODEL);
    assertThat(client.download(RepoType.MODEL, MODEL, commit, "model.safetensors"))
        .isEqualTo(first);
    assertThat(hub.requests()).as("a commit never changes: no request at all").isEmpty();
  }

  @Test
  void concurrentDownloadsOfOneFileFetchItOnce() throws Exception {
    HfHub client = client(null, false);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(
            pool.submit(() -> client.download(RepoType.MODEL, MODEL, "main", "model.safetensors")));
      }
      Path first = results.get(0).get();
      for (var r : results) {
        assertThat(r.get()).isEqualTo(first);
      }
      assertThat(Files.readAllBytes(first)).isEqualTo(weights);
    } finally {
      pool.shutdownNow();
    }
    assertThat(hub.requests())
        .filteredOn(r -> r.method().equals("GET") && r.path().startsWith("/cdn/"))
        .hasSize(1);
  }

  @Test
  void theCacheServesFilesWhenOfflineOrWhenTheHubIsDown() throws IOException {
    Path downloaded = client(null, false).download(RepoType.DATASET, DS, "main", "math.jsonl");
    client(null, false).download(RepoType.DATASET, DS, "main", "code.jsonl");
    URI endpoint = hub.endpoint();
    hub.close();

    HfHub offline = new HfHub(endpoint, null, cache, true, fastOptions());
    assertThat(offline.download(RepoType.DATASET, DS, "main", "math.jsonl")).isEqualTo(downloaded);
    assertThat(offline.listFiles(RepoType.DATASET, DS, "main"))
        .containsExactly("code.jsonl", "math.jsonl");
    assertThatThrownBy(() -> offline.download(RepoType.DATASET, DS, "main", "README.md"))
        .isInstanceOf(HfHubException.class)
        .hasMessageContaining("README.md")
        .hasMessageContaining("HF_HUB_OFFLINE");

    HfHub online = new HfHub(endpoint, null, cache, false, fastOptions());
    assertThat(online.download(RepoType.DATASET, DS, "main", "math.jsonl")).isEqualTo(downloaded);
    assertThat(online.listFiles(RepoType.DATASET, DS, "main"))
        .containsExactly("code.jsonl", "math.jsonl");
    assertThatThrownBy(() -> online.download(RepoType.DATASET, DS, "main", "README.md"))
        .isInstanceOf(HfHubUnreachableException.class)
        .hasMessageContaining("cannot reach");
  }

  @Test
  void gatedRepositoriesNeedTheTokenAndSayHowToSetIt() throws IOException {
    hub.gate(RepoType.DATASET, DS, "hf_right");
    assertThatThrownBy(
            () -> client(null, false).download(RepoType.DATASET, DS, "main", "math.jsonl"))
        .isInstanceOf(HfHubException.class)
        .hasMessageContaining("dataset 'org/bench'")
        .hasMessageContaining("gated or private: set HF_TOKEN (secret");
    assertThatThrownBy(() -> client("hf_wrong", false).listFiles(RepoType.DATASET, DS, "main"))
        .hasMessageContaining("gated or private: set HF_TOKEN")
        .hasMessageContaining("current token was refused");
    assertThat(client("hf_right", false).listFiles(RepoType.DATASET, DS, "main")).hasSize(4);
    assertThat(hub.requests().get(hub.requests().size() - 1).authorization())
        .isEqualTo("Bearer hf_right");
  }

  @Test
  void missingRepositoriesFilesAndRevisionsAreNamed() {
    HfHub client = client(null, false);
    assertThatThrownBy(() -> client.download(RepoType.DATASET, DS, "main", "nope.jsonl"))
        .isInstanceOf(HfHubException.class)
        .hasMessage("dataset 'org/bench' has no file 'nope.jsonl' at revision 'main'")
        .satisfies(e -> assertThat(((HfHubException) e).isNotFound()).isTrue());
    assertThatThrownBy(() -> client.download(RepoType.MODEL, "org/ghost", "main", "config.json"))
        .hasMessageContaining("model 'org/ghost' does not exist");
    assertThatThrownBy(() -> client.listFiles(RepoType.DATASET, DS, "v9"))
        .hasMessageContaining("dataset 'org/bench' has no revision 'v9'");
    assertThatThrownBy(() -> client.download(RepoType.DATASET, DS, "main", "../../etc/passwd"))
        .hasMessageContaining("invalid file name");
    assertThatThrownBy(() -> client.listFiles(RepoType.DATASET, "a/b/c", "main"))
        .hasMessageContaining("invalid repository id 'a/b/c'");
  }

  @Test
  void downloadAllReturnsTheSnapshotFolder() throws IOException {
    Path snapshot =
        client(null, false).downloadAll(RepoType.DATASET, DS, "main", f -> f.endsWith(".jsonl"));
    assertThat(snapshot.getFileName().toString()).isEqualTo(hub.commitOf(RepoType.DATASET, DS));
    assertThat(snapshot.resolve("math.jsonl")).exists();
    assertThat(snapshot.resolve("sub/dir/extra.jsonl")).exists();
    assertThat(snapshot.resolve("README.md")).doesNotExist();
  }

  @Test
  void configurationComesFromTheEnvironmentLikeThePythonClient() throws IOException {
    Path home = cache.resolve("home");
    HfHub defaults = HfHub.fromEnvironment(Map.of(), home);
    assertThat(defaults.endpoint()).isEqualTo(URI.create("https://huggingface.co"));
    assertThat(defaults.cacheDir())
        .isEqualTo(home.resolve(".cache/huggingface/hub").toAbsolutePath());
    assertThat(defaults.hasToken()).isFalse();
    assertThat(defaults.isOffline()).isFalse();

    HfHub custom =
        HfHub.fromEnvironment(
            Map.of(
                "HF_ENDPOINT",
                "http://mirror:8080/",
                "HF_HOME",
                "/hf",
                "HUGGING_FACE_HUB_TOKEN",
                "t",
                "HF_HUB_OFFLINE",
                "1"),
            home);
    assertThat(custom.endpoint()).isEqualTo(URI.create("http://mirror:8080"));
    assertThat(custom.cacheDir()).isEqualTo(Path.of("/hf/hub"));
    assertThat(custom.hasToken()).isTrue();
    assertThat(custom.isOffline()).isTrue();

    assertThat(
            HfHub.fromEnvironment(Map.of("HF_HOME", "/hf", "HF_HUB_CACHE", "/c"), home).cacheDir())
        .isEqualTo(Path.of("/c"));
    assertThat(HfHub.fromEnvironment(Map.of("HF_HUB_OFFLINE", "0"), home).isOffline()).isFalse();

    Path hfHome = cache.resolve("hfhome");
    Files.createDirectories(hfHome);
    Files.writeString(hfHome.resolve("token"), "hf_from_file\n", StandardCharsets.UTF_8);
    assertThat(HfHub.fromEnvironment(Map.of("HF_HOME", hfHome.toString()), home).hasToken())
        .isTrue();
  }
}
