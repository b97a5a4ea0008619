package fitfile

import (
	"encoding/binary"
	"fmt"
	"math"

	"fitbridge/backend/reason"
)

// Repair says what was mended in a damaged FIT file. A head unit whose
// battery died leaves a file cut off mid-message with no session; some
// writers get the checksum wrong. Their records are still good, so FitBridge
// reads them, and what goes to Intervals.icu is a repaired copy: whole
// messages only, sizes and checksums recomputed, the missing summary
// messages added. The original bytes are never changed.
type Repair struct {
	// EndedEarly: the file is shorter than its header says (a cut-off
	// recording); everything after the last whole message is left out.
	EndedEarly bool
	// BadTail: the data ran on past a message that could not be read (a
	// message cut off inside the declared data, or bytes that make no sense).
	BadTail bool
	// BadChecksum: the file checksum did not match; read anyway.
	BadChecksum bool
	// BadHeaderChecksum: the header checksum did not match; read anyway.
	BadHeaderChecksum bool
	// RebuiltSummary: the activity had records but no session; session, lap
	// and activity messages were rebuilt from the records.
	RebuiltSummary bool
	// DroppedBytes is how much of the damaged file was left out.
	DroppedBytes int
	// DroppedParts counts chained parts with nothing usable, left out.
	DroppedParts int
	// RecordsS is the time the kept records span, in seconds.
	RecordsS float64
}

// Any reports whether anything was repaired.
func (r Repair) Any() bool {
	return r.EndedEarly || r.BadTail || r.BadChecksum || r.BadHeaderChecksum || r.RebuiltSummary || r.DroppedParts > 0
}

// String tells the rider what was repaired: "repaired: the file ended
// early, 3 minutes of records kept"; "" when nothing was.
func (r Repair) String() string {
	if !r.Any() {
		return ""
	}
	var parts []string
	switch {
	case r.EndedEarly:
		parts = append(parts, reason.RepairEndedEarly.Text())
	case r.BadTail:
		parts = append(parts, reason.RepairBadTail.Text(r.DroppedBytes))
	}
	if r.BadChecksum {
		parts = append(parts, reason.RepairBadChecksum.Text())
	}
	if r.BadHeaderChecksum {
		parts = append(parts, reason.RepairBadHeader.Text())
	}
	switch {
	case r.DroppedParts == 1:
		parts = append(parts, reason.RepairDroppedPart.Text())
	case r.DroppedParts > 1:
		parts = append(parts, reason.RepairDroppedParts.Text(r.DroppedParts))
	}
	if r.RebuiltSummary {
		parts = append(parts, reason.RepairRebuiltSummary.Text())
	}
	if r.EndedEarly || r.BadTail || r.RebuiltSummary {
		return reason.RepairedKept.Text(reason.Parts(parts...), spanWords(r.RecordsS))
	}
	return reason.Repaired.Text(reason.Parts(parts...))
}

func spanWords(sec float64) string {
	switch {
	case sec < 120:
		return reason.SpanSeconds.Text(int(math.Round(sec)))
	case sec < 120*60:
		return reason.SpanMinutes.Text(int(math.Round(sec / 60)))
	}
	h := int(sec) / 3600
	return reason.SpanHoursMinutes.Text(h, fmt.Sprintf("%02d", (int(sec)-h*3600)/60))
}

func (r *Repair) add(o Repair) {
	r.EndedEarly = r.EndedEarly || o.EndedEarly
	r.BadTail = r.BadTail || o.BadTail
	r.BadChecksum = r.BadChecksum || o.BadChecksum
	r.BadHeaderChecksum = r.BadHeaderChecksum || o.BadHeaderChecksum
	r.RebuiltSummary = r.RebuiltSummary || o.RebuiltSummary
	r.DroppedBytes += o.DroppedBytes
	r.DroppedParts += o.DroppedParts
	r.RecordsS += o.RecordsS
}

// RepairFIT returns a sound copy of a damaged FIT file (raw, not wrapped) and
// what was repaired. A sound file comes back as it is, with an empty Repair.
// A file with nothing usable gives an *UnreadableError saying why. data is
// never modified.
func RepairFIT(data []byte) ([]byte, Repair, error) {
	if !looksLikeFIT(data) {
		return nil, Repair{}, unreadable("%s", reason.NotFITFile.Text())
	}
	var (
		rep Repair
		out []byte
	)
	pos := 0
	for n := 1; pos < len(data); n++ {
		rest := data[pos:]
		if n > 1 && !looksLikeFIT(rest) {
			break // junk after the data: the repaired copy leaves it out
		}
		part, used, prep, err := repairSegment(rest)
		if err != nil {
			if n == 1 {
				return nil, Repair{}, err
			}
			rep.DroppedParts++
			break
		}
		rep.add(prep)
		out = append(out, part...)
		pos += used
		if prep.EndedEarly || prep.BadTail {
			break // nothing whole follows a cut
		}
	}
	if !rep.Any() {
		return data, Repair{}, nil
	}
	return out, rep, nil
}

// repairSegment repairs the FIT file at the start of d and returns it, how
// many bytes of d it took, and what was repaired. A sound part comes back
// resealed the same way, so every part of a repaired copy reads alike.
func repairSegment(d []byte) ([]byte, int, Repair, *UnreadableError) {
	var rep Repair
	if len(d) < 12 {
		return nil, 0, rep, unreadable("%s", reason.EndsInsideHeader.Text())
	}
	if string(d[8:12]) != ".FIT" {
		return nil, 0, rep, unreadable("%s", reason.NoFITSignature.Text())
	}
	hs := int(d[0])
	if hs < 12 || hs > len(d) {
		return nil, 0, rep, unreadable("%s", reason.BadHeaderSize.Text(hs))
	}
	if hs >= 14 {
		if stored := binary.LittleEndian.Uint16(d[12:14]); stored != 0 && fitCRC(0, d[:12]) != stored {
			rep.BadHeaderChecksum = true
		}
	}
	dataSize := int64(binary.LittleEndian.Uint32(d[4:8]))
	limit, used := len(d), len(d)
	switch {
	case dataSize == 0 || int64(hs)+dataSize > int64(len(d)):
		// The header's size was never written (a recording still open) or
		// the file was cut off: read what is there.
		rep.EndedEarly = true
	case int64(hs)+dataSize+2 > int64(len(d)):
		// Only the checksum is missing.
		limit = hs + int(dataSize)
		rep.EndedEarly = true
	default:
		limit = hs + int(dataSize)
		used = limit + 2
		if fitCRC(0, d[:limit]) != binary.LittleEndian.Uint16(d[limit:]) {
			rep.BadChecksum = true
		}
	}
	seg := fitSegment{fileType: -1}
	end, werr := walkMessages(d[:limit], hs, 0, &seg, false)
	if werr != nil && !rep.EndedEarly {
		rep.BadTail = true
	}
	if rep.EndedEarly || rep.BadTail {
		rep.DroppedBytes = len(d[:used]) - end
	}
	if end <= hs {
		return nil, 0, rep, unreadable("%s", reason.NoWholeMessage.Text())
	}
	if (rep.EndedEarly || rep.BadTail) && !seg.hasFileID && seg.rec.n == 0 && len(seg.sessions) == 0 {
		return nil, 0, rep, unreadable("%s", reason.NoWholeRecord.Text())
	}
	isActivity := seg.fileType == 4 || (seg.fileType < 0 && (seg.rec.n > 0 || len(seg.sessions) > 0))
	if isActivity && len(seg.sessions) == 0 {
		if seg.rec.n == 0 {
			if rep.Any() {
				return nil, 0, rep, unreadable("%s", reason.NoWholeRecord.Text())
			}
		} else {
			rep.RebuiltSummary = true
		}
	}
	if seg.rec.n > 0 && seg.rec.lastTS > seg.rec.firstTS {
		rep.RecordsS = float64(seg.rec.lastTS - seg.rec.firstTS)
	}
	// The copy always gets a 14-byte header with its checksum, which every
	// reader checks the same way.
	out := make([]byte, 14, 14+(end-hs)+200)
	copy(out, d[:12])
	out[0] = 14
	out = append(out, d[hs:end]...)
	if rep.RebuiltSummary {
		out = appendSummary(out, &seg)
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-14))
	binary.LittleEndian.PutUint16(out[12:14], fitCRC(0, out[:12]))
	out = binary.LittleEndian.AppendUint16(out, fitCRC(0, out))
	return out, used, rep, nil
}

// FIT base types used by the rebuilt messages.
const (
	baseEnum   = 0x00
	baseUint8  = 0x02
	baseUint16 = 0x84
	baseUint32 = 0x86
)

type fieldSpec struct{ num, size, base byte }

// summaryLocal is the local message type the rebuilt messages use; they come
// last, so redefining it touches nothing before them.
const summaryLocal = 0

func appendDefinition(out []byte, global uint16, fields []fieldSpec) []byte {
	out = append(out, 0x40|summaryLocal, 0, 0) // reserved, little-endian
	out = binary.LittleEndian.AppendUint16(out, global)
	out = append(out, byte(len(fields)))
	for _, f := range fields {
		out = append(out, f.num, f.size, f.base)
	}
	return out
}

// appendSummary adds lap, session and activity messages built from the
// records, as a head unit writes them when a ride is saved.
func appendSummary(out []byte, seg *fitSegment) []byte {
	rec := &seg.rec
	start, last := rec.firstTS, rec.lastTS
	end := max(seg.lastTS, last)
	elapsedMS := uint32(0)
	if last > start {
		elapsedMS = (last - start) * 1000
	}
	timerMS := elapsedMS
	if rec.activityTimer != absent {
		timerMS = uint32(rec.activityTimer * 1000)
	}
	dist := uint32(math.MaxUint32)
	if rec.lastDistance != absent {
		dist = uint32(math.Round(rec.lastDistance * 100))
	}
	sport, sub := byte(0xFF), byte(0xFF)
	if rec.sport >= 0 && rec.sport < 0xFF {
		sport = byte(rec.sport)
		if rec.subSport >= 0 && rec.subSport < 0xFF {
			sub = byte(rec.subSport)
		}
	}
	power := uint16(math.MaxUint16)
	if rec.powerN > 0 {
		power = uint16(min(math.Round(rec.powerSum/float64(rec.powerN)), 0xFFFE))
	}
	hr := byte(0xFF)
	if rec.hrN > 0 {
		hr = byte(min(math.Round(rec.hrSum/float64(rec.hrN)), 0xFE))
	}
	const (
		eventTimer    = 0
		eventActivity = 26
		eventTypeStop = 1
	)
	le32 := binary.LittleEndian.AppendUint32
	le16 := binary.LittleEndian.AppendUint16

	// lap: timestamp, start_time, total_elapsed_time, total_timer_time,
	// total_distance, message_index, event, event_type, sport, sub_sport.
	out = appendDefinition(out, mesgLap, []fieldSpec{
		{253, 4, baseUint32}, {2, 4, baseUint32}, {7, 4, baseUint32}, {8, 4, baseUint32},
		{9, 4, baseUint32}, {254, 2, baseUint16}, {0, 1, baseEnum}, {1, 1, baseEnum},
		{25, 1, baseEnum}, {39, 1, baseEnum},
	})
	out = append(out, summaryLocal)
	out = le32(le32(le32(le32(le32(out, end), start), elapsedMS), timerMS), dist)
	out = le16(out, 0)
	out = append(out, eventTimer, eventTypeStop, sport, sub)

	// session: as the lap, plus first_lap_index, num_laps, avg_power, avg_heart_rate.
	out = appendDefinition(out, mesgSession, []fieldSpec{
		{253, 4, baseUint32}, {2, 4, baseUint32}, {7, 4, baseUint32}, {8, 4, baseUint32},
		{9, 4, baseUint32}, {254, 2, baseUint16}, {25, 2, baseUint16}, {26, 2, baseUint16},
		{20, 2, baseUint16}, {0, 1, baseEnum}, {1, 1, baseEnum}, {5, 1, baseEnum},
		{6, 1, baseEnum}, {16, 1, baseUint8},
	})
	out = append(out, summaryLocal)
	out = le32(le32(le32(le32(le32(out, end), start), elapsedMS), timerMS), dist)
	out = le16(le16(le16(le16(out, 0), 0), 1), power)
	out = append(out, eventActivity, eventTypeStop, sport, sub, hr)

	if !seg.hasActivity {
		// activity: timestamp, total_timer_time, num_sessions, type (manual), event, event_type.
		out = appendDefinition(out, mesgActivity, []fieldSpec{
			{253, 4, baseUint32}, {0, 4, baseUint32}, {1, 2, baseUint16},
			{2, 1, baseEnum}, {3, 1, baseEnum}, {4, 1, baseEnum},
		})
		out = append(out, summaryLocal)
		out = le32(le32(out, end), timerMS)
		out = le16(out, 1)
		out = append(out, 0, eventActivity, eventTypeStop)
	}
	return out
}

// UploadBytes gives the bytes that go to Intervals.icu for a file: the
// repaired copy of a damaged FIT (taken out of its gzip or zip), else data
// itself. repaired says which.
func UploadBytes(data []byte) (out []byte, repaired bool) {
	defer func() {
		if r := recover(); r != nil {
			out, repaired = data, false
		}
	}()
	var fixed []byte
	_, _, err := withPayload(data, func(p []byte) error {
		s, err := summarizeRaw(p)
		if err != nil {
			return err
		}
		if s.Repaired != "" {
			if f, rep, rerr := RepairFIT(p); rerr == nil && rep.Any() {
				fixed = f
			}
		}
		return nil
	})
	if err != nil || fixed == nil {
		return data, false
	}
	return fixed, true
}
