// AkkaSfu server: the conference page, protoo WebSocket signalling and the broadcaster HTTP API on one port.
using AkkaSfu.Signalling.Broadcasters;
using AkkaSfu.Signalling.Cluster;
using AkkaSfu.Signalling.Hosting;
using AkkaSfu.Signalling.Metrics;
using AkkaSfu.Signalling.WebSockets;
using Prometheus;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && Environment.GetEnvironmentVariable("ASPNETCORE_URLS") is null)
    builder.WebHost.UseUrls("http://localhost:5000");

builder.Services.AddAkkaSfu(builder.Configuration);
builder.Services.AddSingleton(sp => new SfuMetrics(sp.GetRequiredService<SfuNode>()));

var app = builder.Build();
app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(60) });
app.UseProtoo();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapBroadcasters();
app.MapCluster();
if (app.Services.GetRequiredService<AkkaSfu.Actors.Settings.ClusterSettings>() is { Enabled: true, TestFaults: true }) app.MapFaultInjection();
app.MapGet("/healthz", () => Results.Text("ok"));
app.MapMetrics("/metrics", app.Services.GetRequiredService<SfuMetrics>().Registry);
app.Run();

/// <summary>Marker so tests can reference the entry assembly.</summary>
public partial class Program;
