-- wrk script for bench/intake.sh: each request files a 15.2 renewal ticket with four
-- attachments for a requester of its own (unique NIP, unique file bytes), with an
-- integrator token that may file for anyone.
local boundary = "certdeskbenchboundary"
local kinds = { "ktp_scan", "signature_scan", "recommendation_letter", "hris_status_screenshot" }
local counter = 0
local files = {}
local dir = os.getenv("BENCH_FILES")
local token = os.getenv("BENCH_TOKEN")

function setup(thread)
  local id = (setup_count or 0) + 1
  setup_count = id
  thread:set("id", id)
end

function init(args)
  for _, kind in ipairs(kinds) do
    local f = assert(io.open(dir .. "/" .. kind, "rb"))
    files[kind] = f:read("*a")
    f:close()
  end
end

-- A valid NIP: birth date from a day number, appointment 2015-03, gender 1, sequence.
local function nip(n)
  local day = n % 14000
  local seq = math.floor(n / 14000) % 1000
  return os.date("!%Y%m%d", 0 + day * 86400) .. "201503" .. "1" .. string.format("%03d", seq)
end

function request()
  counter = counter + 1
  local n = id * 2000000 + counter
  local ticket = string.format(
    '{"service":"15.2","subtype":"renewal","requester":{"nip":"%s","name":"Andi Contoh",' ..
    '"email":"andi.contoh@kemenkeu.go.id","unit":"Sekretariat Jenderal","position":"Pranata Komputer"},' ..
    '"responsible_officer_nip":"197501012000031002","description":"Perpanjangan sertifikat (uji beban %d)"}',
    nip(n), n)
  local parts = { "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"ticket\"\r\n\r\n" .. ticket .. "\r\n" }
  for _, kind in ipairs(kinds) do
    -- Trailing bytes make every file unique (no deduplication) and leave headers intact.
    parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. kind ..
      "\"; filename=\"" .. kind .. "\"\r\nContent-Type: application/octet-stream\r\n\r\n" ..
      files[kind] .. "\n%" .. n .. "\r\n"
  end
  parts[#parts + 1] = "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/api/v1/tickets", {
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Authorization"] = "Bearer " .. token,
  }, table.concat(parts))
end
