// What the server does with a client's input after the parser, as pure calls: the ORTC work of the transport
// actor (produce), the router actor (consume) and the room (join caps, appData, the JSON it echoes). A fuzz
// input passes when each step returns or fails with the error the actor answers (OrtcException, SfuException);
// anything else escaping is a finding.
using System.Text.Json.Nodes;
using AkkaSfu.Actors.Messages;
using AkkaSfu.Actors.Ortc;
using AkkaSfu.Signalling.Protocol;
using AkkaSfu.Signalling.Rooms;
using OrtcRules = AkkaSfu.Actors.Ortc.Ortc;

namespace AkkaSfu.Fuzz;

public static class ServerPath
{
    /// <summary>The router of every room: the demo codecs (signalling.md §5.1).</summary>
    public static readonly RtpCapabilities RouterCaps = OrtcRules.GenerateRouterRtpCapabilities(DefaultMediaCodecs.Value);

    /// <summary>A device that takes everything the router offers (what mediasoup-client sends for Chrome).</summary>
    public static readonly RtpCapabilities DeviceCaps = OrtcRules.ValidateRtpCapabilities(RouterCaps);

    /// <summary>Producers already in the room (mic, VP8 simulcast, VP9 SVC, H264): what a joining device's caps
    /// are matched against.</summary>
    public static readonly IReadOnlyList<(MediaKind Kind, ProducerRtp Prepared)> Producers = Seeds.Producers
        .Select(p => (p.Kind, OrtcRules.PrepareProducer(p.Kind, OrtcJson.Deserialize<RtpParameters>(p.Json), RouterCaps, null, random: new Random(1))))
        .ToArray();

    /// <summary>The transport actor's produce (PrepareProducer, engine settings), then every consumer kind of it.</summary>
    public static void Produce(MediaKind kind, RtpParameters rtp, JsonObject? appData)
    {
        ProducerRtp prepared;
        try
        {
            prepared = OrtcRules.PrepareProducer(kind, rtp, RouterCaps, transportCname: null, random: new Random(1));
            _ = EngineParameters.ForProducer("p", kind, prepared, paused: false);
            // Consumable parameters go to other nodes' routers when piped.
            _ = OrtcJson.Serialize(prepared.ConsumableRtpParameters);
        }
        catch (OrtcException)
        {
            return;
        }
        if (appData is not null)
        {
            var data = (JsonObject)appData.DeepClone();
            data["peerId"] = "peer";
            appData = data;
        }
        Consume(kind, prepared, DeviceCaps, appData ?? new JsonObject());
        try
        {
            var pipe = OrtcRules.GetPipeConsumerRtpParameters(prepared.ConsumableRtpParameters, enableRtx: true, new Random(1));
            _ = EngineParameters.ForConsumer("c", "p", kind, RtpType.Pipe, pipe, paused: false);
            _ = OrtcJson.Serialize(pipe);
        }
        catch (OrtcException)
        {
        }
    }

    /// <summary>A joined device's caps against every producer in the room.</summary>
    public static void Join(RtpCapabilities caps)
    {
        foreach (var (kind, prepared) in Producers) Consume(kind, prepared, caps, new JsonObject());
    }

    /// <summary>The router actor's consume (canConsume, consumer parameters, engine settings) and the newConsumer
    /// request the room writes.</summary>
    public static void Consume(MediaKind kind, ProducerRtp producer, RtpCapabilities caps, JsonObject appData)
    {
        try
        {
            if (!OrtcRules.CanConsume(producer.ConsumableRtpParameters, caps)) return;
            var rtp = OrtcRules.GetConsumerRtpParameters(producer.ConsumableRtpParameters, caps, pipe: false, enableRtx: true, new Random(1));
            _ = EngineParameters.ForConsumer("c", "p", kind, producer.Type, rtp, paused: true);
            _ = ProtooCommands.NewConsumerRequest(1, new NewConsumer("peer", "p", "c", kind, rtp, producer.Type, (JsonObject)appData.DeepClone(), false));
        }
        catch (OrtcException)
        {
        }
    }

    /// <summary>What the room writes back with a joined peer's display name and device (newPeer, join answer).</summary>
    public static void Echo(string displayName, JsonObject device) =>
        _ = Protoo.Notification("newPeer", new JsonObject { ["id"] = "peer", ["displayName"] = displayName, ["device"] = device.DeepClone() });
}
