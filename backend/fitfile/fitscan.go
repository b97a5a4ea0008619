package fitfile

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"fitbridge/backend/reason"
)

// This is FitBridge's own FIT reader. It walks the byte stream once, checks
// the header and file CRCs, and pulls out only the few fields a summary needs
// (file_id, sport, session, lap, record, activity); everything else, including
// developer fields, is skipped by size.
//
// Why not a FIT SDK (measured on the 38 FIT fixtures in testdata; see
// decoders_test.go and bench_test.go):
//   - github.com/tormoder/fit v0.15.0 rejects four sound files: fields wider
//     than its profile (iGPSport's 32-byte serial number, the FR255's 8-byte
//     session field 124) and a file_id that is not the very first message
//     (Onelap re-export: it reads a garbage file_id; Stages Link workout).
//     It also has no names for manufacturers above 324 (MyWhoosh is 331).
//   - github.com/muktihari/fit v0.26.1 reads every sound file, but with its
//     default options it reports "crc checksum mismatch" for the nine sound
//     files whose header carries no CRC (12-byte headers, or 14-byte headers
//     with CRC 0): it then leaves the header out of the file CRC, while the
//     FIT file CRC covers header and data.
//   - Both decode every field of every message. On the 6.5 h Wahoo file
//     (BenchmarkSummarize*): scanner 1.4 ms and 9 allocations, tormoder
//     24 ms and 11 MB, muktihari 56 ms and 24 MB.
// The scanner is correct on every fixture and by far the fastest, so it is
// the only FIT reader used in production. muktihari's generated profile
// (typedef) still supplies sport, manufacturer and product names.

// fitEpoch is 1989-12-31T00:00:00Z, the zero of FIT date_time values.
const fitEpoch = 631065600

// fitMinAbsTime: date_time values below this are seconds since device power-up,
// not absolute times.
const fitMinAbsTime = 0x10000000

// Global message numbers the summary needs.
const (
	mesgFileID   = 0
	mesgSport    = 12
	mesgSession  = 18
	mesgLap      = 19
	mesgRecord   = 20
	mesgActivity = 34
)

// Field slots: the position of a wanted field in localDef.f, per message.
const (
	fidType = iota
	fidManufacturer
	fidProduct
	fidTimeCreated
	fidProductName
)

const (
	sportSport = iota
	sportSubSport
)

const (
	sesStart = iota
	sesElapsed
	sesTimer
	sesDistance
	sesSport
	sesSubSport
	sesAvgHR
	sesAvgPower
)

const (
	lapSport = iota
	lapSubSport
)

const (
	recDistance = iota
	recHR
	recPower
)

const (
	actTimer = iota
)

// wantedFields lists, per global message, the field numbers in slot order.
var wantedFields = map[uint16][]byte{
	mesgFileID:   {0, 1, 2, 4, 8},
	mesgSport:    {0, 1},
	mesgSession:  {2, 7, 8, 9, 5, 6, 16, 20},
	mesgLap:      {25, 39},
	mesgRecord:   {5, 3, 7},
	mesgActivity: {0},
}

const maxSlots = 8

// fieldLoc says where a field sits inside a data message; size 0 = absent.
type fieldLoc struct {
	off  int
	size int
	base byte
}

type localDef struct {
	defined bool
	global  uint16
	big     bool
	length  int // bytes of the data message after its header, developer fields included
	ts      fieldLoc
	f       [maxSlots]fieldLoc
}

// absent marks a numeric session/lap value that the file does not give.
const absent = -1.0

type rawSession struct {
	start, timestamp uint32 // 0 when absent
	elapsed, timer   float64
	distance         float64
	sport, subSport  int // -1 when absent
	avgHR, avgPower  float64
}

type recordPoint struct {
	ts    uint32
	power float64 // absent when missing
	hr    float64 // absent when missing
}

// recordStats are running aggregates over records with a timestamp, kept so
// a file without a session can still be summarised without a second pass.
type recordStats struct {
	n               int
	firstTS, lastTS uint32
	lastDistance    float64 // absent until seen
	powerSum, hrSum float64
	powerN, hrN     int
	sport, subSport int // from a sport or lap message, -1 when unknown
	activityTimer   float64
}

// fitSegment is one FIT file; a chained file holds several back to back.
type fitSegment struct {
	hasFileID      bool
	fileType       int // -1 when unknown
	manufacturer   uint16
	product        uint16
	hasManufacture bool
	hasProduct     bool
	productName    string
	timeCreated    uint32

	sessions    []rawSession
	laps        int
	hasActivity bool
	lastTS      uint32 // the last absolute timestamp of any message
	// lastRecordEnd is the offset in the whole input just past the last
	// record message.
	lastRecordEnd int
	rec           recordStats
	points        []recordPoint // only when collecting streams
}

type fitScan struct {
	segments []fitSegment
	note     string // something tolerated, worth telling
}

// Reading limits: a real file has a handful of sessions and well under a
// million records (11 days at one per second); a hostile one can declare a
// one-byte record per byte.
const (
	maxSessions     = 1000
	maxStreamPoints = 1 << 20
)

// crcTables[0] is the byte table of FIT's CRC-16 (reflected polynomial
// 0xA001, zero start); crcTables[k] gives a byte's effect followed by k zero
// bytes, so fitCRC can take eight bytes per step (the CRC is most of the
// scanner's work on a large file).
var crcTables = func() (t [8][256]uint16) {
	for i := range t[0] {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
		t[0][i] = c
	}
	for k := 1; k < 8; k++ {
		for i := range t[k] {
			p := t[k-1][i]
			t[k][i] = p>>8 ^ t[0][byte(p)]
		}
	}
	return t
}()

func fitCRC(crc uint16, b []byte) uint16 {
	t := &crcTables
	for len(b) >= 8 {
		crc ^= uint16(b[0]) | uint16(b[1])<<8
		crc = t[7][byte(crc)] ^ t[6][crc>>8] ^ t[5][b[2]] ^ t[4][b[3]] ^
			t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]]
		b = b[8:]
	}
	for _, x := range b {
		crc = crc>>8 ^ t[0][byte(crc)^x]
	}
	return crc
}

// baseSizes is the element size of each FIT base type, by its low 5 bits.
var baseSizes = [32]int{
	0: 1, 1: 1, 2: 1, 3: 2, 4: 2, 5: 4, 6: 4, 7: 1, 8: 4, 9: 8,
	10: 1, 11: 2, 12: 4, 13: 1, 14: 8, 15: 8, 16: 8,
}

func unreadable(format string, args ...any) *UnreadableError {
	return &UnreadableError{Reason: fmt.Sprintf(format, args...)}
}

// looksLikeFIT reports whether data starts like a FIT file, possibly cut off
// inside its header.
func looksLikeFIT(data []byte) bool {
	if len(data) >= 12 {
		return string(data[8:12]) == ".FIT"
	}
	if len(data) == 0 || (data[0] != 12 && data[0] != 14) {
		return false
	}
	if len(data) <= 8 {
		// Too little to see ".FIT"; only a header size byte says so.
		return len(data) >= 2
	}
	return strings.HasPrefix(".FIT", string(data[8:]))
}

// scanFIT walks every chained segment of a FIT file. collect asks for every
// record's time, power and heart rate (for streams).
func scanFIT(data []byte, collect bool) (*fitScan, error) {
	res := &fitScan{}
	pos := 0
	for n := 1; pos < len(data); n++ {
		prefix := ""
		if n > 1 {
			prefix = fmt.Sprintf("chained file #%d: ", n)
			rest := data[pos:]
			if !looksLikeFIT(rest) {
				// Padding or junk after a complete file does not touch the
				// activity; keep the summary and say so.
				res.note = fmt.Sprintf("ignored %d bytes after the end of the FIT data", len(rest))
				break
			}
		}
		seg, end, err := scanSegment(data, pos, collect)
		if err != nil {
			err.Reason = prefix + err.Reason
			return nil, err
		}
		res.segments = append(res.segments, seg)
		pos = end
	}
	return res, nil
}

// scanSegment reads the FIT file starting at data[start:] and returns where it ends.
func scanSegment(data []byte, start int, collect bool) (fitSegment, int, *UnreadableError) {
	d := data[start:]
	seg := fitSegment{fileType: -1}
	if len(d) < 12 {
		if len(d) >= 8 && d[0] >= 12 {
			total := int64(d[0]) + int64(binary.LittleEndian.Uint32(d[4:8])) + 2
			return seg, 0, unreadable("%s", reason.FileEndsEarly.Text(total-int64(len(d))))
		}
		return seg, 0, unreadable("%s", reason.EndsInHeaderBytes.Text(len(d)))
	}
	if string(d[8:12]) != ".FIT" {
		return seg, 0, unreadable("%s", reason.NoFITSignature.Text())
	}
	hs := int(d[0])
	if hs < 12 {
		return seg, 0, unreadable("%s", reason.BadHeaderSize.Text(hs))
	}
	dataSize := int64(binary.LittleEndian.Uint32(d[4:8]))
	total := int64(hs) + dataSize + 2
	if total > int64(len(d)) {
		return seg, 0, unreadable("%s", reason.FileEndsEarly.Text(total-int64(len(d))))
	}
	if hs >= 14 {
		if stored := binary.LittleEndian.Uint16(d[12:14]); stored != 0 {
			if got := fitCRC(0, d[:12]); got != stored {
				return seg, 0, unreadable("%s", reason.HeaderChecksumWrong.Text(fmt.Sprintf("0x%04X", stored), fmt.Sprintf("0x%04X", got)))
			}
		}
	}
	if dataSize == 0 {
		return seg, 0, unreadable("%s", reason.HeaderDeclaresNone.Text())
	}
	end := hs + int(dataSize)
	stored := binary.LittleEndian.Uint16(d[end:])
	if got := fitCRC(0, d[:end]); got != stored {
		return seg, 0, unreadable("%s", reason.FileChecksumWrong.Text(fmt.Sprintf("0x%04X", stored), fmt.Sprintf("0x%04X", got)))
	}
	// Every message is walked even when only sessions matter: sessions
	// usually come last, and a file without one is summarised from records.
	if _, err := walkMessages(d[:end], hs, start, &seg, collect); err != nil {
		return seg, 0, err
	}
	return seg, start + end + 2, nil
}

// walkMessages reads the messages in d[hs:]. base is d's offset in the whole
// input, for positions in messages. It returns the offset just past the last
// whole message it read, also when it stops at a damaged one (repair keeps
// everything before that).
func walkMessages(d []byte, hs, base int, seg *fitSegment, collect bool) (int, *UnreadableError) {
	var defs [16]localDef
	var lastTS uint32
	seg.rec = recordStats{lastDistance: absent, sport: -1, subSport: -1, activityTimer: absent}
	pos := hs
	for pos < len(d) {
		at := pos
		h := d[pos]
		pos++
		if h&0x80 == 0 && h&0x40 != 0 {
			n, err := readDefinition(d, pos, &defs[h&0x0F], h&0x20 != 0)
			if err != "" {
				return at, unreadable("definition message at byte %d %s", base+at, err)
			}
			pos += n
			continue
		}
		var def *localDef
		compressed := h&0x80 != 0
		if compressed {
			def = &defs[(h>>5)&0x03]
		} else {
			def = &defs[h&0x0F]
		}
		if !def.defined {
			return at, unreadable("data message at byte %d uses local message type %d before defining it", base+at, localType(h))
		}
		if def.length > len(d)-pos {
			return at, unreadable("data message at byte %d runs %d bytes past the end of the data", base+at, def.length-(len(d)-pos))
		}
		msg := d[pos : pos+def.length]
		pos += def.length

		ts := uint32(0)
		if compressed {
			// A 5-bit offset from the last full timestamp, rolling over every 32 s.
			off := uint32(h & 0x1F)
			ts = lastTS&^0x1F + off
			if off < lastTS&0x1F {
				ts += 0x20
			}
			lastTS = ts
		} else if def.ts.size > 0 {
			if v, ok := readNum(msg, def.ts, def.big); ok {
				ts = uint32(v)
				lastTS = ts
			}
		}
		handleMessage(def, msg, ts, seg, collect)
		if def.global == mesgRecord {
			seg.lastRecordEnd = base + pos
		}
	}
	return pos, nil
}

func localType(h byte) byte {
	if h&0x80 != 0 {
		return (h >> 5) & 0x03
	}
	return h & 0x0F
}

// readDefinition parses a definition message body at d[pos:] into def and
// returns its length.
func readDefinition(d []byte, pos int, def *localDef, dev bool) (int, string) {
	rest := d[pos:]
	if len(rest) < 5 {
		return 0, "is cut off by the end of the data"
	}
	arch := rest[1]
	if arch > 1 {
		return 0, fmt.Sprintf("has unknown byte order %d", arch)
	}
	big := arch == 1
	var global uint16
	if big {
		global = binary.BigEndian.Uint16(rest[2:4])
	} else {
		global = binary.LittleEndian.Uint16(rest[2:4])
	}
	nf := int(rest[4])
	n := 5 + 3*nf
	if len(rest) < n {
		return 0, "is cut off by the end of the data"
	}
	*def = localDef{defined: true, global: global, big: big}
	wanted := wantedFields[global]
	off := 0
	for i := range nf {
		f := rest[5+3*i : 8+3*i]
		num, size, bt := f[0], int(f[1]), f[2]
		loc := fieldLoc{off: off, size: size, base: bt}
		if num == 253 {
			def.ts = loc
		} else {
			for slot, w := range wanted {
				if w == num {
					def.f[slot] = loc
					break
				}
			}
		}
		off += size
	}
	if dev {
		if len(rest) < n+1 {
			return 0, "is cut off by the end of the data"
		}
		nd := int(rest[n])
		n++
		if len(rest) < n+3*nd {
			return 0, "is cut off by the end of the data"
		}
		for i := range nd {
			off += int(rest[n+3*i+1])
		}
		n += 3 * nd
	}
	def.length = off
	return n, ""
}

// readNum reads the first element of a numeric field; ok is false for the
// FIT "invalid" value or a field too small for its base type.
func readNum(msg []byte, loc fieldLoc, big bool) (float64, bool) {
	bt := loc.base & 0x1F
	sz := baseSizes[bt]
	if sz == 0 || loc.size < sz || loc.off+sz > len(msg) {
		return 0, false
	}
	b := msg[loc.off : loc.off+sz]
	var u uint64
	switch sz {
	case 1:
		u = uint64(b[0])
	case 2:
		if big {
			u = uint64(binary.BigEndian.Uint16(b))
		} else {
			u = uint64(binary.LittleEndian.Uint16(b))
		}
	case 4:
		if big {
			u = uint64(binary.BigEndian.Uint32(b))
		} else {
			u = uint64(binary.LittleEndian.Uint32(b))
		}
	case 8:
		if big {
			u = binary.BigEndian.Uint64(b)
		} else {
			u = binary.LittleEndian.Uint64(b)
		}
	}
	allOnes := uint64(1)<<(8*sz) - 1
	if sz == 8 {
		allOnes = math.MaxUint64
	}
	switch bt {
	case 0, 2, 4, 6, 13, 15: // enum, unsigned, byte
		return float64(u), u != allOnes
	case 10, 11, 12, 16: // unsigned, 0 = invalid
		return float64(u), u != 0
	case 1, 3, 5, 14: // signed, max positive = invalid
		shift := 64 - 8*uint(sz)
		v := int64(u<<shift) >> shift
		return float64(v), u != allOnes>>1
	case 8:
		f := float64(math.Float32frombits(uint32(u)))
		return f, u != allOnes && !math.IsNaN(f) && !math.IsInf(f, 0)
	case 9:
		f := math.Float64frombits(u)
		return f, u != allOnes && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

func readString(msg []byte, loc fieldLoc) string {
	if loc.size == 0 || loc.off+loc.size > len(msg) {
		return ""
	}
	b := msg[loc.off : loc.off+loc.size]
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	s := string(b)
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return strings.TrimSpace(s)
}

// scaled reads a numeric field and divides by scale; absent when invalid.
func scaled(msg []byte, def *localDef, slot int, scale float64) float64 {
	if def.f[slot].size == 0 {
		return absent
	}
	v, ok := readNum(msg, def.f[slot], def.big)
	if !ok || v < 0 {
		return absent
	}
	return v / scale
}

func enumVal(msg []byte, def *localDef, slot int) int {
	if def.f[slot].size == 0 {
		return -1
	}
	v, ok := readNum(msg, def.f[slot], def.big)
	if !ok || v < 0 || v > math.MaxUint16 {
		return -1
	}
	return int(v)
}

func timeVal(msg []byte, def *localDef, slot int) uint32 {
	if def.f[slot].size == 0 {
		return 0
	}
	v, ok := readNum(msg, def.f[slot], def.big)
	if !ok || v < fitMinAbsTime || v > math.MaxUint32 {
		return 0
	}
	return uint32(v)
}

func handleMessage(def *localDef, msg []byte, ts uint32, seg *fitSegment, collect bool) {
	if ts >= fitMinAbsTime && ts > seg.lastTS {
		seg.lastTS = ts
	}
	switch def.global {
	case mesgRecord:
		if ts < fitMinAbsTime {
			return
		}
		r := &seg.rec
		if r.n == 0 {
			r.firstTS = ts
		}
		r.n++
		r.lastTS = ts
		if d := scaled(msg, def, recDistance, 100); d != absent {
			r.lastDistance = d
		}
		p := scaled(msg, def, recPower, 1)
		if p != absent {
			r.powerSum += p
			r.powerN++
		}
		hr := scaled(msg, def, recHR, 1)
		if hr == 0 {
			hr = absent
		}
		if hr != absent {
			r.hrSum += hr
			r.hrN++
		}
		if collect && len(seg.points) < maxStreamPoints {
			seg.points = append(seg.points, recordPoint{ts: ts, power: p, hr: hr})
		}
	case mesgSession:
		if len(seg.sessions) >= maxSessions {
			return
		}
		seg.sessions = append(seg.sessions, rawSession{
			start:     timeVal(msg, def, sesStart),
			timestamp: validTime(ts),
			elapsed:   scaled(msg, def, sesElapsed, 1000),
			timer:     scaled(msg, def, sesTimer, 1000),
			distance:  scaled(msg, def, sesDistance, 100),
			sport:     enumVal(msg, def, sesSport),
			subSport:  enumVal(msg, def, sesSubSport),
			avgHR:     scaled(msg, def, sesAvgHR, 1),
			avgPower:  scaled(msg, def, sesAvgPower, 1),
		})
	case mesgLap:
		seg.laps++
		if seg.rec.sport < 0 {
			seg.rec.sport = enumVal(msg, def, lapSport)
			seg.rec.subSport = enumVal(msg, def, lapSubSport)
		}
	case mesgSport:
		// The sport message outranks a lap's sport.
		if s := enumVal(msg, def, sportSport); s >= 0 {
			seg.rec.sport = s
			seg.rec.subSport = enumVal(msg, def, sportSubSport)
		}
	case mesgActivity:
		seg.hasActivity = true
		seg.rec.activityTimer = scaled(msg, def, actTimer, 1000)
	case mesgFileID:
		if seg.hasFileID {
			return
		}
		seg.hasFileID = true
		seg.fileType = enumVal(msg, def, fidType)
		if m := enumVal(msg, def, fidManufacturer); m >= 0 {
			seg.manufacturer, seg.hasManufacture = uint16(m), true
		}
		if p := enumVal(msg, def, fidProduct); p >= 0 {
			seg.product, seg.hasProduct = uint16(p), true
		}
		seg.timeCreated = timeVal(msg, def, fidTimeCreated)
		seg.productName = readString(msg, def.f[fidProductName])
	}
}

func validTime(ts uint32) uint32 {
	if ts < fitMinAbsTime {
		return 0
	}
	return ts
}
