using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Raworc.Tests;

/// <summary>
/// Parse-checks the deployment parts under packaging/: the Kubernetes manifests (every file the kustomization lists
/// parses, has its required fields, and the objects agree on names, labels, ports and probe paths) and the
/// Dockerfile (entrypoint, non-root user, port, health check). What runs them for real is scripts/test-fleet.sh.
/// </summary>
public sealed partial class DeploymentManifestTests
{
    private const int ContainerPort = 8080; // the http mode's default port, which the image sets
    private const int ProbePort = 8081; // the probes' own listener, which the image sets too
    private const int DefaultDrainSeconds = 10;
    private const int DefaultApiTimeoutSeconds = 30; // RAWORC_TIMEOUT's default: one API call, retries included
    private const int HostStopSeconds = 2; // HttpServer's HostOptions.ShutdownTimeout
    private const int LongestWaitSeconds = 55; // Waiting.MaxTimeoutSeconds: the longest a tool call may wait

    private static readonly string Root = RepoRoot();
    private static readonly string KubeDir = Path.Combine(Root, "packaging", "kubernetes");

    [Fact]
    public void Kustomization_lists_every_manifest_and_each_parses_with_its_required_fields()
    {
        var kustomization = Load("kustomization.yaml").Single();
        Assert.Equal("kustomize.config.k8s.io/v1beta1", kustomization.Str("apiVersion"));
        Assert.Equal("Kustomization", kustomization.Str("kind"));
        var listed = kustomization.List("resources").Select(r => r.Text()).ToList();
        var onDisk = Directory.GetFiles(KubeDir, "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml").Order().ToList();
        Assert.Equal(onDisk, listed.Order().ToList());

        var kinds = AllObjects().Select(o => o.Str("kind")).Order().ToList();
        Assert.Equal(["Deployment", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget", "Service"], kinds);
        foreach (var o in AllObjects())
        {
            Assert.False(string.IsNullOrEmpty(o.Str("apiVersion")), $"{o.Str("kind")} has no apiVersion");
            Assert.Equal("raworc-mcp", o.Node("metadata").Str("name"));
            Assert.Equal("raworc-mcp", o.Node("metadata").Node("labels").Str("app.kubernetes.io/name"));
        }

        // The image kustomize rewrites is the one the Deployment names.
        var image = kustomization.List("images").Single();
        Assert.StartsWith(image.Str("name") + ":", Container().Str("image"), StringComparison.Ordinal);

        // The generated ConfigMap is the one the pods read, and names the API (with its /api/v0 base path).
        var config = kustomization.List("configMapGenerator").Single();
        Assert.Equal(Container().List("envFrom").Single().Node("configMapRef").Str("name"), config.Str("name"));
        var literals = config.List("literals").Select(l => l.Text()).ToList();
        Assert.Contains(literals, l => l.StartsWith("RAWORC_API_URL=https://", StringComparison.Ordinal) && l.EndsWith("/api/v0", StringComparison.Ordinal));
        Assert.DoesNotContain(literals, l => l.Contains("TOKEN", StringComparison.Ordinal) || l.Contains("PASSWORD", StringComparison.Ordinal));
        Assert.DoesNotContain(literals, l => l.StartsWith("RAWORC_MCP_OAUTH_KEYS", StringComparison.Ordinal));

        // The host patch sets the rule and the certificate to one name, as the Ingress itself has them.
        var patch = kustomization.List("patches").Single();
        Assert.Equal(("Ingress", "raworc-mcp"), (patch.Node("target").Str("kind"), patch.Node("target").Str("name")));
        var ops = new YamlStream();
        ops.Load(new StringReader(patch.Str("patch")!));
        var values = ((YamlSequenceNode)ops.Documents[0].RootNode).Children.Cast<YamlMappingNode>()
            .ToDictionary(o => o.Str("path")!, o => o.Str("value"));
        Assert.Equal(["/spec/rules/0/host", "/spec/tls/0/hosts/0"], values.Keys.Order());
        Assert.Single(values.Values.Distinct());
        var ingress = Object("Ingress").Node("spec");
        Assert.Equal(values["/spec/rules/0/host"], ingress.List("rules").Single().Str("host"));
        Assert.Equal(values["/spec/tls/0/hosts/0"], ingress.List("tls").Single().List("hosts").Single().Text());

        // Sign-in: the public URL is the https origin of the Ingress host (no path, no trailing slash).
        var publicUrl = literals.Single(l => l.StartsWith("RAWORC_MCP_PUBLIC_URL=", StringComparison.Ordinal))["RAWORC_MCP_PUBLIC_URL=".Length..];
        Assert.Equal($"https://{values["/spec/rules/0/host"]}", publicUrl);
    }

    [Fact]
    public void Sign_in_keys_come_from_a_generated_Secret_whose_env_file_stays_out_of_git()
    {
        var kustomization = Load("kustomization.yaml").Single();
        var secret = kustomization.List("secretGenerator").Single();
        var envFile = secret.List("envs").Single().Text();
        Assert.Equal("oauth-keys.env", envFile);
        Assert.False(secret.Children.ContainsKey(new YamlScalarNode("literals")), "keys belong in the env file, never in kustomization.yaml");
        var ignored = File.ReadAllLines(Path.Combine(KubeDir, ".gitignore")).Select(l => l.Trim());
        Assert.Contains(envFile, ignored);

        // Every replica reads the same key ring from that Secret (kustomize gives the Secret and the reference the
        // same hashed name), and from nowhere else.
        var c = Container();
        var keys = c.List("env").Single(e => e.Str("name") == "RAWORC_MCP_OAUTH_KEYS");
        Assert.Null(keys.Str("value"));
        var reference = keys.Node("valueFrom").Node("secretKeyRef");
        Assert.Equal(secret.Str("name"), reference.Str("name"));
        Assert.Equal("RAWORC_MCP_OAUTH_KEYS", reference.Str("key"));
        Assert.NotEqual("true", reference.Str("optional"));

        // The comment at the top of kustomization.yaml gives the command that makes the file: 32 random bytes.
        var text = File.ReadAllText(Path.Combine(KubeDir, "kustomization.yaml"));
        Assert.Contains("echo \"RAWORC_MCP_OAUTH_KEYS=$(head -c 32 /dev/urandom | base64)\" > packaging/kubernetes/oauth-keys.env", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Deployment_runs_three_hardened_replicas_with_probes_on_the_real_paths()
    {
        var deployment = Object("Deployment");
        Assert.Equal("apps/v1", deployment.Str("apiVersion"));
        var spec = deployment.Node("spec");
        Assert.Equal(3, spec.Int("replicas"));
        var podLabels = spec.Node("template").Node("metadata").Node("labels");
        foreach (var (key, value) in spec.Node("selector").Node("matchLabels").Map())
            Assert.Equal(value.Text(), podLabels.Str(key));

        var pod = spec.Node("template").Node("spec");
        var podSecurity = pod.Node("securityContext");
        Assert.Equal("true", podSecurity.Str("runAsNonRoot"));
        Assert.NotEqual(0, podSecurity.Int("runAsUser"));
        Assert.Equal("false", pod.Str("automountServiceAccountToken"));

        var c = Container();
        var security = c.Node("securityContext");
        Assert.Equal("true", security.Str("readOnlyRootFilesystem"));
        Assert.Equal("false", security.Str("allowPrivilegeEscalation"));
        Assert.Equal(["ALL"], security.Node("capabilities").List("drop").Select(d => d.Text()));

        Assert.Equal(ContainerPort, Assert.Single(c.List("ports"), p => p.Str("name") == "http").Int("containerPort"));
        Assert.Equal(ContainerPort.ToString(CultureInfo.InvariantCulture), Env(c, "RAWORC_MCP_PORT"));
        // The probes go to their own listener, which /mcp connections cannot fill.
        var probes = Assert.Single(c.List("ports"), p => p.Int("containerPort") == ProbePort);
        Assert.Equal(ProbePort.ToString(CultureInfo.InvariantCulture), Env(c, "RAWORC_MCP_PROBE_PORT"));
        foreach (var (probe, path) in new[] { ("readinessProbe", "/readyz"), ("livenessProbe", "/healthz") })
        {
            var get = c.Node(probe).Node("httpGet");
            Assert.Equal(path, get.Str("path"));
            Assert.True(get.Str("port") == probes.Str("name") || get.Str("port") == ProbePort.ToString(CultureInfo.InvariantCulture),
                $"{probe} probes port {get.Str("port")}, not the probe port {probes.Str("name")}/{ProbePort}");
            Assert.True(c.Node(probe).Int("timeoutSeconds") >= 2);
        }

        foreach (var kind in new[] { "requests", "limits" })
            foreach (var resource in new[] { "cpu", "memory" })
                Assert.False(string.IsNullOrEmpty(c.Node("resources").Node(kind).Str(resource)), $"resources.{kind}.{resource} is missing");
        Assert.True(Mebibytes(c.Node("resources").Node("requests").Str("memory")) <= Mebibytes(c.Node("resources").Node("limits").Str("memory")));

        // On SIGTERM the waits answer at once, so what a drain waits for is at most one API call: the drain covers
        // RAWORC_TIMEOUT, and the pod outlives preStop + the drain + the host's own stop, or a call is killed mid-way.
        var drain = int.Parse(Env(c, "RAWORC_MCP_DRAIN_SECONDS") ?? DefaultDrainSeconds.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var apiTimeout = ConfigValue("RAWORC_TIMEOUT") is { } set ? double.Parse(set, CultureInfo.InvariantCulture) : DefaultApiTimeoutSeconds;
        Assert.True(drain >= apiTimeout, $"the drain ({drain} s) must cover one API call (RAWORC_TIMEOUT {apiTimeout} s)");
        var preStop = c.TryNode("lifecycle")?.TryNode("preStop")?.TryNode("sleep")?.Int("seconds") ?? 0;
        Assert.True(pod.Int("terminationGracePeriodSeconds") >= preStop + drain + HostStopSeconds,
            $"terminationGracePeriodSeconds {pod.Int("terminationGracePeriodSeconds")} must cover preStop {preStop} s + drain {drain} s + {HostStopSeconds} s");

        // A read-only root filesystem still needs a writable /tmp.
        Assert.Contains(c.List("volumeMounts"), m => m.Str("mountPath") == "/tmp");
    }

    [Fact]
    public void Service_PodDisruptionBudget_and_autoscaler_point_at_the_deployment()
    {
        var podLabels = Object("Deployment").Node("spec").Node("template").Node("metadata").Node("labels");
        var portName = Assert.Single(Container().List("ports"), p => p.Int("containerPort") == ContainerPort).Str("name");

        var service = Object("Service").Node("spec");
        foreach (var (key, value) in service.Node("selector").Map()) Assert.Equal(value.Text(), podLabels.Str(key));
        var servicePort = service.List("ports").Single();
        Assert.True(servicePort.Str("targetPort") == portName || servicePort.Int("targetPort") == ContainerPort);
        Assert.Equal("None", service.Str("sessionAffinity"));

        var pdb = Object("PodDisruptionBudget");
        Assert.Equal("policy/v1", pdb.Str("apiVersion"));
        foreach (var (key, value) in pdb.Node("spec").Node("selector").Node("matchLabels").Map()) Assert.Equal(value.Text(), podLabels.Str(key));
        // At most one replica of three is evicted at a time.
        Assert.Equal("1", pdb.Node("spec").Str("maxUnavailable"));

        var hpa = Object("HorizontalPodAutoscaler");
        Assert.Equal("autoscaling/v2", hpa.Str("apiVersion"));
        var target = hpa.Node("spec").Node("scaleTargetRef");
        Assert.Equal(("Deployment", "raworc-mcp"), (target.Str("kind"), target.Str("name")));
        Assert.Equal(3, hpa.Node("spec").Int("minReplicas"));
        Assert.True(hpa.Node("spec").Int("maxReplicas") > 3);
        Assert.NotEmpty(hpa.Node("spec").List("metrics"));
    }

    [Fact]
    public void Ingress_has_tls_routes_mcp_and_sign_in_to_the_service_and_outwaits_the_longest_tool_without_buffering()
    {
        var ingress = Object("Ingress");
        Assert.Equal("networking.k8s.io/v1", ingress.Str("apiVersion"));
        var spec = ingress.Node("spec");
        var tls = spec.List("tls").Single();
        var host = spec.List("rules").Single().Str("host");
        Assert.Contains(host, tls.List("hosts").Select(h => h.Text()));
        Assert.False(string.IsNullOrEmpty(tls.Str("secretName")));

        // The MCP endpoint and the sign-in endpoints reach the Service; nothing else (the probes stay inside).
        var servicePort = Object("Service").Node("spec").List("ports").Single();
        var paths = spec.List("rules").Single().Node("http").List("paths");
        foreach (var path in paths)
        {
            var backend = path.Node("backend").Node("service");
            Assert.Equal("raworc-mcp", backend.Str("name"));
            Assert.True(backend.Node("port").Str("name") == servicePort.Str("name") || backend.Node("port").Int("number") == servicePort.Int("port"));
        }
        Assert.Equal(
            [("/.well-known/oauth-authorization-server", "Exact"), ("/.well-known/oauth-protected-resource", "Prefix"),
             ("/.well-known/openid-configuration", "Exact"), ("/authorize", "Exact"), ("/mcp", "Exact"), ("/register", "Exact"), ("/token", "Exact")],
            paths.Select(p => (p.Str("path")!, p.Str("pathType")!)).Order());

        var annotations = ingress.Node("metadata").Node("annotations");
        Assert.True(int.Parse(annotations.Str("nginx.ingress.kubernetes.io/proxy-read-timeout")!, CultureInfo.InvariantCulture) > LongestWaitSeconds);
        Assert.True(int.Parse(annotations.Str("nginx.ingress.kubernetes.io/proxy-send-timeout")!, CultureInfo.InvariantCulture) > LongestWaitSeconds);
        Assert.Equal("off", annotations.Str("nginx.ingress.kubernetes.io/proxy-buffering"));
    }

    [Fact]
    public void Dockerfile_runs_the_http_mode_as_a_non_root_user_on_a_substitutable_base()
    {
        var text = File.ReadAllText(Path.Combine(Root, "packaging", "container", "Dockerfile"));
        var lines = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains("ENTRYPOINT [\"raworc-mcp\", \"http\", \"--listen-host\", \"0.0.0.0\"]", lines);
        Assert.Contains(lines, l => l.StartsWith("ARG BASE_IMAGE=", StringComparison.Ordinal));
        Assert.Contains("FROM ${BASE_IMAGE}", lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal) && l.Contains(" AS ", StringComparison.Ordinal) && !l.Contains("binary", StringComparison.Ordinal)));

        var user = lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..];
        var uid = int.Parse(user.Split(':')[0], CultureInfo.InvariantCulture);
        Assert.NotEqual(0, uid);
        Assert.Equal(Object("Deployment").Node("spec").Node("template").Node("spec").Node("securityContext").Int("runAsUser"), uid);
        Assert.Contains($"EXPOSE {ContainerPort} {ProbePort}", lines);
        Assert.Contains($"ENV RAWORC_MCP_PROBE_PORT={ProbePort}", lines);
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK ", StringComparison.Ordinal) && l.Contains("CMD [\"raworc-mcp\", \"healthcheck\"]", StringComparison.Ordinal));
        foreach (var label in new[] { "title", "description", "version", "revision", "source", "licenses" })
            Assert.Contains($"org.opencontainers.image.{label}=", text, StringComparison.Ordinal);
    }

    // ---- YAML access ------------------------------------------------------------------------------------------

    private static List<YamlMappingNode> Load(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(KubeDir, file))) stream.Load(reader);
        Assert.NotEmpty(stream.Documents);
        return stream.Documents.Select(d => Assert.IsType<YamlMappingNode>(d.RootNode, exactMatch: false)).ToList();
    }

    private static IEnumerable<YamlMappingNode> AllObjects() =>
        Load("kustomization.yaml").Single().List("resources").SelectMany(r => Load(r.Text()));

    private static YamlMappingNode Object(string kind) => Assert.Single(AllObjects(), o => o.Str("kind") == kind);

    private static YamlMappingNode Container() =>
        Object("Deployment").Node("spec").Node("template").Node("spec").List("containers").Single();

    /// <summary>A setting of the ConfigMap the kustomization generates, or null when it sets none.</summary>
    private static string? ConfigValue(string name) =>
        Load("kustomization.yaml").Single().List("configMapGenerator").Single().List("literals").Select(l => l.Text())
            .Where(l => l.StartsWith(name + "=", StringComparison.Ordinal)).Select(l => l[(name.Length + 1)..]).SingleOrDefault();

    private static string? Env(YamlMappingNode container, string name) =>
        container.List("env").FirstOrDefault(e => e.Str("name") == name)?.Str("value");

    private static int Mebibytes(string? quantity)
    {
        var m = QuantityPattern().Match(quantity ?? "");
        Assert.True(m.Success, $"memory quantity '{quantity}' is not in Mi or Gi");
        return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * (m.Groups[2].Value == "Gi" ? 1024 : 1);
    }

    [GeneratedRegex("^([0-9]+)(Mi|Gi)$")]
    private static partial Regex QuantityPattern();

    private static string RepoRoot([CallerFilePath] string testFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(testFile)!, "..", ".."));
}

/// <summary>Navigation in a parsed YAML tree that fails the test with the missing key's name.</summary>
internal static class YamlTree
{
    public static YamlMappingNode Node(this YamlMappingNode map, string key) =>
        map.TryNode(key) ?? throw new Xunit.Sdk.XunitException($"missing mapping '{key}'");

    public static YamlMappingNode? TryNode(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v as YamlMappingNode : null;

    public static string? Str(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;

    public static int Int(this YamlMappingNode map, string key) =>
        int.Parse(map.Str(key) ?? throw new Xunit.Sdk.XunitException($"missing number '{key}'"), CultureInfo.InvariantCulture);

    public static List<YamlMappingNode> List(this YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlSequenceNode seq
            ? seq.Children.Select(c => c as YamlMappingNode ?? new YamlMappingNode(new YamlScalarNode("value"), c)).ToList()
            : throw new Xunit.Sdk.XunitException($"missing list '{key}'");

    /// <summary>A list item that is a plain scalar (wrapped by <see cref="List"/>).</summary>
    public static string Text(this YamlMappingNode item) => item.Str("value") ?? throw new Xunit.Sdk.XunitException("not a scalar item");

    public static IEnumerable<(string Key, YamlMappingNode Value)> Map(this YamlMappingNode map) =>
        map.Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, new YamlMappingNode(new YamlScalarNode("value"), kv.Value)));
}
