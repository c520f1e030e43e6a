-- wrk script for bench/encryption.sh: downloads attachments of the tickets listed in
-- BENCH_PATHS (one path per line), round robin, as a supervisor (BENCH_TOKEN).
local paths = {}
local counter = 0
local token = os.getenv("BENCH_TOKEN")

function init(args)
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    paths[#paths + 1] = line
  end
end

function request()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  if status ~= 200 then
    io.stderr:write("download answered " .. status .. "\n")
  end
end
