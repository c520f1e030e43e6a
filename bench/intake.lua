-- wrk script for bench/intake.sh and bench/encryption.sh: each request files a 15.2
-- renewal ticket with four attachments for a requester of its own (unique NIP) and with
-- files of its own, as real filings have: the last row of each PNG's pixels carries the
-- request's number (see bench/files.py for how the PNGs are laid out), and the letter
-- ends with it. An integrator token that may file for anyone.
local boundary = "certdeskbenchboundary"
local kinds = { "ktp_scan", "signature_scan", "recommendation_letter", "hris_status_screenshot" }
local images = { ktp_scan = true, signature_scan = true, hris_status_screenshot = true }
local counter = 0
local files = {}
local dir = os.getenv("BENCH_FILES")
local token = os.getenv("BENCH_TOKEN")
local bit = require("bit")

function setup(thread)
  local id = (setup_count or 0) + 1
  setup_count = id
  thread:set("id", id)
end

local function slurp(path)
  local f = assert(io.open(path, "rb"))
  local content = f:read("*a")
  f:close()
  return content
end

function init(args)
  for _, kind in ipairs(kinds) do
    local path = dir .. "/" .. kind
    if images[kind] then
      local a, b = slurp(path .. ".adler"):match("(%d+) (%d+)")
      files[kind] = { head = slurp(path .. ".head"), row = slurp(path .. ".row"),
                      a = tonumber(a), b = tonumber(b) }
    else
      files[kind] = { whole = slurp(path) }
    end
  end
end

local crc_table = {}
for i = 0, 255 do
  local c = i
  for _ = 1, 8 do
    if bit.band(c, 1) == 1 then c = bit.bxor(0xEDB88320, bit.rshift(c, 1)) else c = bit.rshift(c, 1) end
  end
  crc_table[i] = c
end

local function crc32(s)
  local c = 0xFFFFFFFF
  for i = 1, #s do
    c = bit.bxor(crc_table[bit.band(bit.bxor(c, s:byte(i)), 0xFF)], bit.rshift(c, 8))
  end
  return bit.bnot(c)
end

local function be32(x)
  return string.char(bit.band(bit.rshift(x, 24), 0xFF), bit.band(bit.rshift(x, 16), 0xFF),
    bit.band(bit.rshift(x, 8), 0xFF), bit.band(x, 0xFF))
end

local function le16(x)
  return string.char(bit.band(x, 0xFF), bit.band(bit.rshift(x, 8), 0xFF))
end

-- The PNG with request `n` written into its last row: a final stored deflate block and
-- the zlib stream's Adler-32, continued from the state before that row.
local function image(file, n)
  local row = file.row:sub(1, 1) .. string.format("%010d", n) .. file.row:sub(12)
  local a, b = file.a, file.b
  for i = 1, #row do
    a = (a + row:byte(i)) % 65521
    b = (b + a) % 65521
  end
  local data = "\1" .. le16(#row) .. le16(bit.bxor(#row, 0xFFFF)) .. row .. be32(b * 65536 + a)
  local idat = "IDAT" .. data
  return file.head .. be32(#data) .. idat .. be32(crc32(idat)) ..
    "\0\0\0\0IEND\174\66\96\130"
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
    local file = files[kind]
    local content = file.whole and (file.whole .. "\n%" .. n) or image(file, n)
    parts[#parts + 1] = "--" .. boundary .. "\r\nContent-Disposition: form-data; name=\"" .. kind ..
      "\"; filename=\"" .. kind .. "\"\r\nContent-Type: application/octet-stream\r\n\r\n" ..
      content .. "\r\n"
  end
  parts[#parts + 1] = "--" .. boundary .. "--\r\n"
  return wrk.format("POST", "/api/v1/tickets", {
    ["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
    ["Authorization"] = "Bearer " .. token,
  }, table.concat(parts))
end
