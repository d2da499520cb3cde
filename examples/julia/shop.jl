# The seed tutorial's shop, shared by both examples: a fruit counter, an
# account balance (up-down counter) and a temperature observable gauge, and a
# little simulation that records into them.

using OtelMetrics
using Random: randn

"""The tutorial's three instruments on `meter`."""
function shop_instruments(meter::Meter)
    fruits = Counter{Int}("fruit_counter", meter; description="Fruits sold", unit="{fruit}")
    balance = UpDownCounter{Int}("balance", meter; description="Account balance", unit="USD")
    # An observable gauge: the library asks for the value at each collection.
    temperature = ObservableGauge{Float64}("temperature", meter; description="Room temperature", unit="Cel") do
        [Measurement(21.0 + randn(); room="shop"), Measurement(12.0 + randn(); room="cellar")]
    end
    return (; fruits, balance, temperature)
end

"""One step of trade: fruits sold, money in, some money out."""
function trade!(shop)
    shop.fruits(2; name="apple", color="green")
    shop.fruits(1; name="lemon", color="yellow")
    shop.balance(5; account="till")
    rand() < 0.3 && shop.balance(-3; account="till")
    return nothing
end
