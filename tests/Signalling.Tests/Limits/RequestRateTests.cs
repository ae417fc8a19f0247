using AkkaSfu.Signalling.Limits;

namespace AkkaSfu.Signalling.Tests.Limits;

/// <summary>The per-socket token bucket with time passed in: no sleeps.</summary>
public class RequestRateTests
{
    [Fact]
    public void A_burst_is_allowed_at_once_then_requests_pass_at_the_rate()
    {
        var rate = new RequestRate(perSecond: 10, burst: 5, floodAfter: 1000);
        for (var i = 0; i < 5; i++) Assert.Equal(RateDecision.Allowed, rate.Take(1_000));
        Assert.Equal(RateDecision.Refused, rate.Take(1_000));
        Assert.Equal(RateDecision.Refused, rate.Take(1_099)); // 0.99 of a token
        Assert.Equal(RateDecision.Allowed, rate.Take(1_100)); // 1 token per 100 ms
        Assert.Equal(RateDecision.Refused, rate.Take(1_100));
        // A long pause refills the burst, never more.
        for (var i = 0; i < 5; i++) Assert.Equal(RateDecision.Allowed, rate.Take(60_000));
        Assert.Equal(RateDecision.Refused, rate.Take(60_000));
    }

    [Fact]
    public void Refusals_without_backing_off_are_a_flood_and_a_client_that_backs_off_is_forgiven()
    {
        var rate = new RequestRate(perSecond: 10, burst: 2, floodAfter: 4);
        Assert.Equal(RateDecision.Allowed, rate.Take(0));
        Assert.Equal(RateDecision.Allowed, rate.Take(0));
        Assert.Equal(RateDecision.Refused, rate.Take(0));
        Assert.Equal(RateDecision.Refused, rate.Take(0));
        Assert.Equal(RateDecision.Allowed, rate.Take(100)); // an allowed request does not forgive: the bucket is not full
        Assert.Equal(RateDecision.Refused, rate.Take(100));
        Assert.Equal(RateDecision.Flood, rate.Take(100));
        Assert.Equal(4, rate.Refusals);

        var patient = new RequestRate(perSecond: 10, burst: 2, floodAfter: 4);
        for (var round = 0; round < 10; round++)
        {
            var t = round * 1_000L; // a second apart: the bucket is full again each time
            Assert.Equal(RateDecision.Allowed, patient.Take(t));
            Assert.Equal(RateDecision.Allowed, patient.Take(t));
            Assert.Equal(RateDecision.Refused, patient.Take(t));
            Assert.Equal(RateDecision.Refused, patient.Take(t));
            Assert.Equal(RateDecision.Refused, patient.Take(t));
        }
    }

    [Fact]
    public void Time_going_backwards_adds_no_tokens()
    {
        var rate = new RequestRate(perSecond: 1000, burst: 1, floodAfter: 100);
        Assert.Equal(RateDecision.Allowed, rate.Take(5_000));
        Assert.Equal(RateDecision.Refused, rate.Take(4_000));
        Assert.Equal(RateDecision.Allowed, rate.Take(5_001));
    }
}

public class FdLimitsTests
{
    private const string ProcLimits = """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            20000                524288               files
        Max locked memory         8388608              8388608              bytes
        """;

    [Fact]
    public void The_soft_open_files_limit_is_read_and_halved()
    {
        Assert.Equal(20000, FdLimits.SoftLimit(ProcLimits));
        Assert.Equal(10000, FdLimits.ConnectionBound(20000));
        Assert.Null(FdLimits.SoftLimit(ProcLimits.Replace("20000 ", "unlimited ")));
        Assert.Null(FdLimits.SoftLimit("nothing here"));
        Assert.Null(FdLimits.ConnectionBound(null));
        Assert.Equal(1, FdLimits.ConnectionBound(1));
        // This process (Linux): a number.
        Assert.True(FdLimits.ProcessSoftLimit() is null or > 0);
    }
}
