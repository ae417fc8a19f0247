using Prometheus;

namespace AkkaSfu.Signalling.Auth;

/// <summary><c>akkasfu_auth_refusals_total{reason}</c> on /metrics: every refused socket, HTTP call or protoo
/// request, by <see cref="Refusals.Label"/> (each reason is exported from zero).</summary>
public sealed class AuthRefusals
{
    private readonly Counter _refusals;

    public AuthRefusals(CollectorRegistry registry)
    {
        _refusals = Prometheus.Metrics.WithCustomRegistry(registry).CreateCounter("akkasfu_auth_refusals_total",
            "Requests refused by authentication or authorization, by reason.", ["reason"]);
        foreach (var r in Refusals.All) _refusals.WithLabels(r.Label());
    }

    public void Count(Refusal refusal) => _refusals.WithLabels(refusal.Label()).Inc();
}
