-- Book a fill once: KEYS[1] executed set, KEYS[2] account key, KEYS[3] open-orders hash;
-- ARGV[1] order id, ARGV[2] account snapshot envelope.
-- Returns 1 if applied, 0 if the order id was already executed (nothing written).
-- A script runs atomically, so no other client sees the id without the account or the reverse.
-- The id is added last: Redis does not roll a script back, so a write refused half-way
-- (out of memory) leaves the id unexecuted and the caller retries.
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[1], ARGV[1])
return 1
