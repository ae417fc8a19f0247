using System.Net;
using Akka.Actor;
using Akka.Discovery;
using Akka.Event;
using k8s;
using k8s.Models;

namespace AkkaSfu.Signalling.Cluster;

/// <summary>Akka.Discovery method <c>akkasfu-kubernetes</c> (akkasfu.cluster.discovery = "kubernetes"): lists the
/// pods of one namespace matching a label selector through the Kubernetes API, with the pod's service account,
/// and resolves each running pod to its IP and the container port named by the lookup's port name. This is
/// what Akka.Discovery.KubernetesApi does (raw pod IPs, <c>{0}</c> in the selector = the service name); that
/// package (1.5.73) is not used because its lookup calls a KubernetesClient 17 constructor
/// (<c>V1PodList(IList&lt;V1Pod&gt;, …)</c>) that the served KubernetesClient versions (19, 21) no longer have, so
/// every lookup fails with MissingMethodException.</summary>
public sealed class KubernetesPodDiscovery : ServiceDiscovery
{
    /// <summary>The config section Akka.Discovery reads this method from.</summary>
    public const string Method = "akkasfu-kubernetes";

    private readonly Lazy<(IKubernetes Client, string Namespace)> _api;
    private readonly string _labelSelector;
    private readonly ILoggingAdapter _log;

    /// <summary>Made by Akka.Discovery from <c>akka.discovery.akkasfu-kubernetes</c>: <c>pod-label-selector</c>
    /// and <c>pod-namespace</c> ("" = the pod's own, from its service account). The in-cluster client is made
    /// at the first lookup; outside a pod every lookup fails (and Cluster Bootstrap retries with backoff).</summary>
    public KubernetesPodDiscovery(ExtendedActorSystem system)
    {
        var c = system.Settings.Config.GetConfig($"akka.discovery.{Method}");
        _labelSelector = c.GetString("pod-label-selector", "app={0}");
        var ns = c.GetString("pod-namespace", "");
        _log = Logging.GetLogger(system, typeof(KubernetesPodDiscovery));
        _api = new Lazy<(IKubernetes, string)>(() =>
        {
            var config = KubernetesClientConfiguration.InClusterConfig();
            return (new Kubernetes(config), ns.Length > 0 ? ns : config.Namespace ?? "default");
        }, LazyThreadSafetyMode.PublicationOnly); // a failure is not kept: the next lookup tries again
    }

    /// <summary>For tests: a client of any API server.</summary>
    public KubernetesPodDiscovery(IKubernetes client, string podNamespace, string labelSelector, ILoggingAdapter log)
    {
        _api = new Lazy<(IKubernetes, string)>(() => (client, podNamespace));
        _labelSelector = labelSelector;
        _log = log;
    }

    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        var (client, ns) = _api.Value;
        var selector = LabelSelector(_labelSelector, lookup.ServiceName);
        using var timeout = new CancellationTokenSource(resolveTimeout);
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: timeout.Token);
        var targets = Targets(pods, lookup.PortName);
        _log.Debug("pods in {0} matching [{1}]: {2} of {3} resolved", ns, selector, targets.Count, pods.Items.Count);
        return new Resolved(lookup.ServiceName, targets);
    }

    /// <summary>The selector with <c>{0}</c> replaced by the service name.</summary>
    public static string LabelSelector(string template, string serviceName) => template.Replace("{0}", serviceName, StringComparison.Ordinal);

    /// <summary>Each running pod that is not being deleted and has an IP, with the container port named
    /// <paramref name="portName"/> (a pod without it is left out), or no port when none is asked for.</summary>
    public static IReadOnlyList<ResolvedTarget> Targets(V1PodList pods, string? portName)
    {
        var targets = new List<ResolvedTarget>();
        foreach (var pod in pods.Items ?? [])
        {
            if (pod.Status?.Phase != "Running" || pod.Metadata?.DeletionTimestamp is not null) continue;
            if (!IPAddress.TryParse(pod.Status.PodIP, out var ip)) continue;
            if (string.IsNullOrEmpty(portName))
            {
                targets.Add(new ResolvedTarget(pod.Status.PodIP, null, ip));
                continue;
            }
            var port = pod.Spec?.Containers?.SelectMany(c => c.Ports ?? []).FirstOrDefault(p => p.Name == portName);
            if (port is not null) targets.Add(new ResolvedTarget(pod.Status.PodIP, port.ContainerPort, ip));
        }
        return targets;
    }
}
