/// The partition for `key` among `partitions` (FNV-1a, 32 bit): stable
/// across runs and builds, so the embedded mode spreads keys the same way
/// every time. Kafka uses librdkafka's own partitioner; both keep one key
/// on one partition, which is the property the roles rely on.
pub fn partition_for(key: &[u8], partitions: u16) -> i32 {
    let mut h: u32 = 0x811c9dc5;
    for b in key {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x01000193);
    }
    (h % u32::from(partitions.max(1))) as i32
}
