using System.Text;
using RecFeed.Feed;

namespace RecFeed.Tests.Feed;

public sealed class FeedBodyTests
{
    [Theory]
    [InlineData(new uint[] { }, "[]")]
    [InlineData(new uint[] { 0 }, "[0]")]
    [InlineData(new uint[] { 4294967295 }, "[4294967295]")]
    [InlineData(new uint[] { 1, 9, 10, 99, 100, 999999999, 1000000000 }, "[1,9,10,99,100,999999999,1000000000]")]
    public void Formats_a_json_array_without_spaces_and_knows_its_length_in_advance(uint[] items, string expected)
    {
        var buffer = new byte[FeedBody.Length(items)];
        Assert.Equal(expected.Length, buffer.Length);
        Assert.Equal(buffer.Length, FeedBody.Write(buffer, items));
        Assert.Equal(expected, Encoding.ASCII.GetString(buffer));
    }

    [Fact]
    public void Digit_counts_are_right_at_every_power_of_ten_edge()
    {
        for (var digits = 1; digits <= 10; digits++)
        {
            var low = (uint)Math.Pow(10, digits - 1);
            Assert.Equal(digits, FeedBody.Digits(low));
            Assert.Equal(digits, FeedBody.Digits(digits == 10 ? uint.MaxValue : (uint)Math.Pow(10, digits) - 1));
        }
        Assert.Equal(1, FeedBody.Digits(0));
    }

    [Fact]
    public void Random_ids_of_every_length_are_written_as_their_decimal_text()
    {
        var random = new Random(7);
        for (var round = 0; round < 2_000; round++)
        {
            var items = RandomItems(random);
            var expected = "[" + string.Join(',', items) + "]";
            var buffer = new byte[FeedBody.Length(items)];
            Assert.Equal(expected.Length, buffer.Length);
            Assert.Equal(buffer.Length, FeedBody.Write(buffer, items));
            Assert.Equal(expected, Encoding.ASCII.GetString(buffer));
            Assert.All(items, item => Assert.Equal(item.ToString(System.Globalization.CultureInfo.InvariantCulture).Length, FeedBody.Digits(item)));
        }
    }

    [Fact]
    public void Every_id_below_ten_to_the_eighth_converts_to_its_eight_zero_padded_digits()
    {
        // An odometer of ASCII digits, the first in the lowest byte as EightDigits returns them, counted up by one.
        var expected = 0x3030_3030_3030_3030UL;
        for (uint value = 0; value < 100_000_000; value++)
        {
            if (FeedBody.EightDigits(value) != expected)
                Assert.Fail($"{value}: {FeedBody.EightDigits(value):x16}, expected {expected:x16}");
            for (var shift = 56; shift >= 0; shift -= 8)
            {
                if ((expected >> shift & 0xFF) != '9')
                {
                    expected += 1UL << shift;
                    break;
                }
                expected -= 9UL << shift;
            }
        }
    }

    [Fact]
    public void A_destination_with_room_for_the_longest_body_gets_the_same_body_and_its_length()
    {
        // MaxLength's room takes the unchecked path, one byte less the checked one: both must write the same body.
        var random = new Random(11);
        for (var round = 0; round < 4_000; round++)
        {
            var items = RandomItems(random);
            var expected = "[" + string.Join(',', items) + "]";
            var buffer = new byte[Math.Max(FeedBody.Length(items), FeedBody.MaxLength(items.Length) + random.Next(-1, 3))];
            Assert.Equal(expected.Length, FeedBody.Write(buffer, items));
            Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, expected.Length));
        }
    }

    /// <summary>Up to eleven ids, each of a random bit length from 1 to 32, so every digit count comes up.</summary>
    private static uint[] RandomItems(Random random) =>
        [.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => (uint)random.NextInt64(0, 1L << random.Next(1, 33)))];

    [Fact]
    public void A_destination_one_byte_short_throws_for_every_length()
    {
        foreach (var items in new uint[][] { [], [5], [123, 4], [4294967295, 0, 99] })
        {
            var buffer = new byte[FeedBody.Length(items) - 1];
            Assert.ThrowsAny<ArgumentException>(() => FeedBody.Write(buffer, items));
        }
    }

    [Fact]
    public void A_destination_too_small_throws_instead_of_writing_past_it()
    {
        var buffer = new byte[5];
        Assert.ThrowsAny<ArgumentException>(() => FeedBody.Write(buffer, [123456]));
    }
}
