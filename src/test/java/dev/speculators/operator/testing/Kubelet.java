package dev.speculators.operator.testing;

import dev.speculators.cli.Main;
import dev.speculators.cli.Workers;
import dev.speculators.operator.pods.ArgsFile;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Runs the containers of the pods the operator creates, as a kubelet would, with the worker
 * commands of this application in process: each volume mount becomes a local directory
 * (PersistentVolumeClaims live under {@code root/pvc/<namespace>/<claim>}, shared by every pod that
 * mounts them; ConfigMaps are written out; emptyDirs are per pod), paths in the image come from
 * {@code imageFiles}, {@code $(VAR)} references in the arguments are expanded from the container's
 * environment, and the worker writes its termination message to a file the caller reads back.
 *
 * <p>Container paths are rewritten in the arguments, and in {@code @}-files, to the local
 * directories. An absolute path that no mount or image directory covers fails the run: the pod
 * would not find it either. Native sidecars (vLLM) cannot run here; a pod with one is refused.
 */
public final class Kubelet {
  private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
  private static final Pattern ANNOTATION =
      Pattern.compile("metadata\\.annotations\\['([^']+)'\\]");

  private final KubernetesClient client;
  private final Path root;
  private final Map<String, Path> imageFiles;

  /** What a container left behind. */
  public record Exit(int code, String terminationMessage) {}

  /**
   * @param client the API server, for ConfigMaps and claims
   * @param root where volumes live
   * @param imageFiles directories of the image's filesystem by their path in the image
   */
  public Kubelet(KubernetesClient client, Path root, Map<String, Path> imageFiles) {
    this.client = client;
    this.root = root;
    this.imageFiles = imageFiles;
  }

  /** The local directory of a claim's volume. */
  public Path claim(String namespace, String claim) {
    return root.resolve("pvc").resolve(namespace).resolve(claim);
  }

  /** Runs the pod's init containers, then {@code container}; returns the container's exit. */
  public Exit run(Pod pod, String container) {
    for (Container init : list(pod.getSpec().getInitContainers())) {
      if ("Always".equals(init.getRestartPolicy())) {
        throw new IllegalStateException(
            "pod "
                + pod.getMetadata().getName()
                + " has the sidecar "
                + init.getName()
                + " ("
                + init.getImage()
                + "), which cannot run here");
      }
      Exit exit = runContainer(pod, init);
      if (exit.code() != 0) {
        return exit;
      }
    }
    Container main =
        pod.getSpec().getContainers().stream()
            .filter(c -> c.getName().equals(container))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no container " + container));
    return runContainer(pod, main);
  }

  private Exit runContainer(Pod pod, Container c) {
    try {
      Path podDir = root.resolve("pods").resolve(pod.getMetadata().getName()).resolve(c.getName());
      Files.createDirectories(podDir);
      Map<String, Path> mounts = mounts(pod, c, podDir);
      Map<String, String> env = environment(pod, c);
      List<String> args = new ArrayList<>();
      for (String a : list(c.getArgs())) {
        String expanded = expand(a, env);
        if (expanded.startsWith("@")) {
          args.add("@" + rewriteArgsFile(expanded.substring(1), mounts, podDir));
        } else {
          args.add(rewrite(expanded, mounts));
        }
      }
      // /dev/termination-log: every worker command takes its path as an option
      Path terminationLog = podDir.resolve("termination-log");
      Files.deleteIfExists(terminationLog);
      CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
      CommandLine command = args.isEmpty() ? null : cli.getSubcommands().get(args.get(0));
      if (command != null && command.getCommandSpec().findOption("--termination-log") != null) {
        args.add("--termination-log");
        args.add(terminationLog.toString());
      }
      Workers.configureNativeEnvironment();
      int code = cli.execute(args.toArray(String[]::new));
      String message =
          Files.exists(terminationLog)
              ? Files.readString(terminationLog, StandardCharsets.UTF_8)
              : null;
      return new Exit(code, message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Mount path → local directory, longest first. */
  private Map<String, Path> mounts(Pod pod, Container c, Path podDir) throws IOException {
    String ns = pod.getMetadata().getNamespace();
    Map<String, Path> out = new LinkedHashMap<>();
    List<VolumeMount> sorted = new ArrayList<>(list(c.getVolumeMounts()));
    sorted.sort(Comparator.comparingInt((VolumeMount m) -> m.getMountPath().length()).reversed());
    for (VolumeMount m : sorted) {
      Volume v =
          pod.getSpec().getVolumes().stream()
              .filter(x -> x.getName().equals(m.getName()))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("mount " + m.getName() + " has no volume"));
      Path dir;
      if (v.getPersistentVolumeClaim() != null) {
        String claim = v.getPersistentVolumeClaim().getClaimName();
        if (client.persistentVolumeClaims().inNamespace(ns).withName(claim).get() == null) {
          throw new IllegalStateException(
              "PersistentVolumeClaim " + claim + " does not exist: the pod would stay Pending");
        }
        dir = claim(ns, claim);
      } else if (v.getConfigMap() != null) {
        ConfigMap cm =
            client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
        if (cm == null) {
          throw new IllegalStateException(
              "ConfigMap " + v.getConfigMap().getName() + " does not exist");
        }
        dir = podDir.resolve("configmap-" + v.getName());
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : cm.getData().entrySet()) {
          Files.writeString(dir.resolve(e.getKey()), e.getValue());
        }
      } else if (v.getEmptyDir() != null) {
        dir =
            root.resolve("pods")
                .resolve(pod.getMetadata().getName())
                .resolve("emptydir-" + v.getName());
      } else {
        throw new IllegalStateException(
            "volume " + v.getName() + " of a kind this kubelet does not mount");
      }
      if (m.getSubPath() != null && !m.getSubPath().isEmpty()) {
        dir = dir.resolve(m.getSubPath());
      }
      Files.createDirectories(dir);
      out.put(m.getMountPath(), dir);
    }
    return out;
  }

  /**
   * The container's environment as far as it can be known here: values and pod field references.
   */
  private static Map<String, String> environment(Pod pod, Container c) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : list(c.getEnv())) {
      if (e.getValue() != null) {
        env.put(e.getName(), expand(e.getValue(), env));
      } else if (e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null) {
        String path = e.getValueFrom().getFieldRef().getFieldPath();
        Matcher m = ANNOTATION.matcher(path);
        if (m.matches()) {
          env.put(e.getName(), pod.getMetadata().getAnnotations().get(m.group(1)));
        } else if (path.equals("metadata.name")) {
          env.put(e.getName(), pod.getMetadata().getName());
        } else if (path.equals("metadata.namespace")) {
          env.put(e.getName(), pod.getMetadata().getNamespace());
        }
      }
    }
    return env;
  }

  /** Kubernetes' expansion of $(VAR) in command and args; unknown references stay as they are. */
  static String expand(String s, Map<String, String> env) {
    Matcher m = VAR.matcher(s.replace("$$", "\u0000"));
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = env.get(m.group(1));
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString().replace("\u0000", "$");
  }

  private String rewriteArgsFile(String containerPath, Map<String, Path> mounts, Path podDir)
      throws IOException {
    Path local = Path.of(rewrite(containerPath, mounts));
    List<String> args = new ArrayList<>();
    for (String line : Files.readAllLines(local, StandardCharsets.UTF_8)) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      String arg =
          t.startsWith("\"") && t.endsWith("\"") && t.length() > 1
              ? t.substring(1, t.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\")
              : t;
      args.add(rewrite(arg, mounts));
    }
    Path rewritten = podDir.resolve(local.getFileName() + ".local");
    Files.writeString(rewritten, ArgsFile.format(args));
    return rewritten.toString();
  }

  /**
   * A container path (possibly followed by options, as in "PATH,maxSamples=10", or by a name, as in
   * "PATH=pvc:claim") as a local path.
   */
  String rewrite(String arg, Map<String, Path> mounts) {
    if (!arg.startsWith("/")) {
      return arg;
    }
    Map<String, Path> all = new LinkedHashMap<>(mounts);
    imageFiles.forEach(all::putIfAbsent);
    String best = null;
    for (String prefix : all.keySet()) {
      boolean covers =
          arg.equals(prefix)
              || arg.startsWith(prefix + "/")
              || arg.startsWith(prefix + ",")
              || arg.startsWith(prefix + "=");
      if (covers && (best == null || prefix.length() > best.length())) {
        best = prefix;
      }
    }
    if (best == null) {
      throw new IllegalStateException(
          "the container path " + arg + " is on no mount and not in the image");
    }
    return all.get(best).toString() + arg.substring(best.length());
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
