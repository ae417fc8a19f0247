using AkkaSfu.Media.Feedback;

namespace AkkaSfu.Media.Tests.Feedback;

public class RateCalculatorTests
{
    [Fact]
    public void Steady_rate_over_the_window()
    {
        var rate = new RateCalculator();
        for (long t = 0; t < 3000; t += 10) rate.Add(125, t); // 125 B every 10 ms = 100 kbps
        Assert.InRange(rate.BitsPerSecond(2999), 95_000, 105_000);
    }

    [Fact]
    public void Old_bytes_leave_the_window()
    {
        var rate = new RateCalculator();
        rate.Add(10_000, 0);
        Assert.Equal(80_000, rate.BitsPerSecond(500));
        Assert.Equal(0, rate.BitsPerSecond(1000));
        Assert.Equal(0, rate.BitsPerSecond(50_000)); // a bucket reused much later does not resurrect
        rate.Add(1000, 50_000);
        Assert.Equal(8000, rate.BitsPerSecond(50_000));
    }
}
