// AkkaSfu server: the conference page, protoo WebSocket signalling and the broadcaster HTTP API on one port.
using AkkaSfu.Signalling.Auth;
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Cluster;
using AkkaSfu.Signalling.Hosting;
using AkkaSfu.Signalling.Limits;
using AkkaSfu.Signalling.Metrics;
using AkkaSfu.Signalling.WebSockets;
using Prometheus;

// `token --room R --peer P [--grants …] [--ttl …]`: print a room token and exit (README, "Authentication").
if (args is ["token", ..]) return TokenCommand.Run(args[1..], Console.Out, Console.Error);

// `--https`: TLS on the https:// URLs (default https://localhost:5443; README, "HTTPS").
args = HttpsHosting.TakeFlag(args, out var https);
var builder = WebApplication.CreateBuilder(args);
builder.AddAkkaSfuUrls(https);

builder.Services.AddAkkaSfu(builder.Configuration);
builder.Services.AddSocketLimits();
builder.Services.AddSingleton(sp => new SfuMetrics(sp.GetRequiredService<SfuNode>(), () => sp.GetRequiredService<SocketLimits>()));
builder.Services.AddRoomAuth(builder.Configuration);

var app = builder.Build();
app.LogSocketLimits();
app.LogHttps();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(60) });
app.UseProtoo();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapRoomAuth();
app.MapBroadcasters();
app.MapCluster();
if (app.Services.GetRequiredService<AkkaSfu.Actors.Settings.ClusterSettings>() is { Enabled: true, TestFaults: true }) app.MapFaultInjection();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapMetrics("/metrics", app.Services.GetRequiredService<SfuMetrics>().Registry);
app.Run();
return 0;

/// <summary>Marker so tests can reference the entry assembly.</summary>
public partial class Program;
