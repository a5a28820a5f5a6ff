-- wrk script: GET /feed/{random user id}?size=N over all users, so requests spread over every shard.
-- Usage: wrk ... -s bench/shards-random-user.lua URL -- USERS [SIZE]
local users, size

function init(args)
  users = tonumber(args[1]) or 1000000
  size = tonumber(args[2]) or 10
  -- Each wrk thread has its own Lua state; seed them apart.
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

function request()
  return wrk.format("GET", "/feed/" .. math.random(0, users - 1) .. "?size=" .. size)
end
