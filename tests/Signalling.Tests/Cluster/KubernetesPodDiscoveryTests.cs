using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Discovery;
using Akka.Event;
using AkkaSfu.Signalling.Cluster;
using k8s;
using k8s.Models;

namespace AkkaSfu.Signalling.Tests.Cluster;

/// <summary>The pods Kubernetes discovery resolves, from pod lists (pure) and through the Kubernetes client
/// against a stand-in API server on 127.0.0.1. No real Kubernetes here: RBAC, the in-cluster client and
/// Cluster Bootstrap over it are only documented (docs/deploy.md).</summary>
public class KubernetesPodDiscoveryTests
{
    private static V1Pod Pod(string name, string phase, string? ip, string? portName = "management", int port = 8558, bool deleting = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, DeletionTimestamp = deleting ? DateTime.UnixEpoch : null },
        Spec = new V1PodSpec
        {
            Containers = [new V1Container
            {
                Name = "sfu",
                Ports = portName is null ? [] : [new V1ContainerPort { Name = "remoting", ContainerPort = 4701 }, new V1ContainerPort { Name = portName, ContainerPort = port }],
            }],
        },
        Status = new V1PodStatus { Phase = phase, PodIP = ip },
    };

    [Fact]
    public void Running_pods_with_an_ip_resolve_to_their_named_port()
    {
        var pods = new V1PodList
        {
            Items =
            [
                Pod("sfu-0", "Running", "10.0.0.5"),
                Pod("sfu-1", "Running", "10.0.0.6", port: 9558),
                Pod("sfu-2", "Pending", null),
                Pod("sfu-3", "Running", "10.0.0.8", deleting: true),
                Pod("sfu-4", "Running", "10.0.0.9", portName: "http"),
                Pod("sfu-5", "Succeeded", "10.0.0.10"),
            ],
        };
        var targets = KubernetesPodDiscovery.Targets(pods, "management");
        Assert.Equal([("10.0.0.5", (int?)8558), ("10.0.0.6", 9558)], targets.Select(t => (t.Host, t.Port)));
        Assert.Equal(IPAddress.Parse("10.0.0.5"), targets[0].Address);

        // No port name asked: every running pod, no port (Cluster Bootstrap then uses its fallback port).
        Assert.Equal(["10.0.0.5", "10.0.0.6", "10.0.0.9"], KubernetesPodDiscovery.Targets(pods, null).Select(t => t.Host));
        Assert.All(KubernetesPodDiscovery.Targets(pods, null), t => Assert.Null(t.Port));
    }

    [Fact]
    public void The_selector_names_the_service()
    {
        Assert.Equal("app=akkasfu", KubernetesPodDiscovery.LabelSelector("app={0}", "akkasfu"));
        Assert.Equal("app.kubernetes.io/name=sfu,tier=media", KubernetesPodDiscovery.LabelSelector("app.kubernetes.io/name=sfu,tier=media", "akkasfu"));
    }

    [Fact]
    public async Task A_lookup_lists_the_namespace_pods_matching_the_selector()
    {
        var port = FreeTcpPort();
        using var api = new HttpListener();
        api.Prefixes.Add($"http://127.0.0.1:{port}/");
        api.Start();
        (string Path, string? Selector)? asked = null;
        var serving = Task.Run(async () =>
        {
            var context = await api.GetContextAsync();
            asked = (context.Request.Url!.AbsolutePath, context.Request.QueryString["labelSelector"]);
            var body = KubernetesJson.Serialize(new V1PodList { ApiVersion = "v1", Kind = "PodList", Items = [Pod("sfu-0", "Running", "10.0.0.5"), Pod("sfu-1", "Pending", null)] });
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        });

        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = $"http://127.0.0.1:{port}" });
        var discovery = new KubernetesPodDiscovery(client, "media", "app={0}", NoLogger.Instance);
        var resolved = await discovery.Lookup(new Lookup("akkasfu", "management", "tcp"), TimeSpan.FromSeconds(20));
        await serving.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(("/api/v1/namespaces/media/pods", "app=akkasfu"), asked);
        Assert.Equal("akkasfu", resolved.ServiceName);
        var target = Assert.Single(resolved.Addresses);
        Assert.Equal(("10.0.0.5", (int?)8558), (target.Host, target.Port));
    }

    private static int FreeTcpPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        try { return ((IPEndPoint)l.LocalEndpoint).Port; }
        finally { l.Stop(); }
    }
}
