//! Collection pause times for `TESS_GC_STATS=1`: a histogram with four
//! buckets per power of two (percentiles within 19%), so that a program
//! collecting millions of times (stress mode) keeps no list of them.

use std::fmt;

const SUB_BUCKETS: u32 = 4;
const BUCKETS: usize = 64 * SUB_BUCKETS as usize;
/// Values below this have a bucket each (the buckets of their powers of
/// two would be narrower than one).
const DIRECT: u64 = 2 * SUB_BUCKETS as u64;

/// The pauses of one kind of collection, in nanoseconds.
pub struct Pauses {
    counts: [u64; BUCKETS],
    count: u64,
    total: u64,
    max: u64,
}

impl Default for Pauses {
    fn default() -> Pauses {
        Pauses { counts: [0; BUCKETS], count: 0, total: 0, max: 0 }
    }
}

/// The bucket of `ns`: its power of two and the next two bits below it.
fn bucket(ns: u64) -> usize {
    if ns < DIRECT {
        return ns as usize;
    }
    let log = 63 - ns.leading_zeros();
    let sub = (ns >> (log - 2)) & u64::from(SUB_BUCKETS - 1);
    (log * SUB_BUCKETS + sub as u32) as usize
}

/// The largest value that falls in bucket `b`.
fn upper(b: usize) -> u64 {
    if (b as u64) < DIRECT {
        return b as u64;
    }
    let b = b as u32;
    let (log, sub) = (b / SUB_BUCKETS, u64::from(b % SUB_BUCKETS));
    ((4 + sub + 1) << (log - 2)) - 1
}

impl Pauses {
    pub fn record(&mut self, ns: u64) {
        self.counts[bucket(ns)] += 1;
        self.count += 1;
        self.total += ns;
        self.max = self.max.max(ns);
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// The pause that fraction `q` of the pauses do not exceed (rounded up
    /// to its bucket's end; never above the longest).
    fn quantile(&self, q: f64) -> u64 {
        let rank = ((self.count as f64 * q).ceil() as u64).max(1);
        let mut seen = 0;
        for (b, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return upper(b).min(self.max);
            }
        }
        self.max
    }
}

impl fmt::Display for Pauses {
    /// `total … ms, p50 …, p99 …, max …` (pauses in microseconds), or
    /// `none`.
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        if self.count == 0 {
            return write!(f, "none");
        }
        let us = |ns: u64| ns as f64 / 1000.0;
        write!(
            f,
            "total {:.1} ms, p50 {:.0} us, p99 {:.0} us, max {:.0} us",
            self.total as f64 / 1e6,
            us(self.quantile(0.5)),
            us(self.quantile(0.99)),
            us(self.max)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_hold_their_values() {
        for ns in [0, 1, 3, 4, 5, 7, 8, 100, 1000, 123_456, 1 << 40] {
            let b = bucket(ns);
            assert!(upper(b) >= ns, "{ns} above its bucket {b}");
            assert!(b == 0 || upper(b - 1) < ns, "{ns} fits an earlier bucket than {b}");
        }
    }

    #[test]
    fn quantiles_of_known_pauses() {
        let mut p = Pauses::default();
        for ns in 1..=100u64 {
            p.record(ns * 1000);
        }
        let median = p.quantile(0.5);
        assert!((50_000..=60_000).contains(&median), "{median}");
        assert_eq!(p.quantile(1.0), 100_000);
    }
}
