# Weighs a flood run's figures (test/netns/flood.sh --bench) against the
# benchmark's target: honest p99 in the flood within 2 x the baseline's p99
# plus $slack ms. The flood's first fraction of a second, before every node
# has the flooder graylisted, costs each node the flooder's burst: honest
# p99 went to 140-250 ms on a 2-core machine (baseline about 12 ms).
(2 * .baseline.p99Ms + $slack) as $target
| . + {target: {rule: "flood p99 <= 2 x baseline p99 + \($slack) ms", p99Ms: $target, met: (.flood.p99Ms <= $target)}}
