package fitfile

import (
	"bytes"
	"encoding/binary"
	"time"
)

// fitBuilder writes small FIT files for tests, byte by byte after the FIT
// protocol, so the scanner can be checked on cases no fixture has.
type fitBuilder struct {
	body bytes.Buffer
	defs [16]builderDef
}

type builderDef struct {
	big    bool
	fields []fld
	devLen int
}

// fld is one field definition: number, size, base type.
type fld struct{ num, size, base byte }

// Base types used in tests.
const (
	btEnum   = 0x00
	btUint8  = 0x02
	btUint16 = 0x84
	btUint32 = 0x86
	btString = 0x07
	btFloat  = 0x88
)

func (b *fitBuilder) define(local byte, global uint16, big bool, fields ...fld) *fitBuilder {
	return b.defineDev(local, global, big, nil, fields...)
}

// defineDev adds developer field definitions of the given sizes.
func (b *fitBuilder) defineDev(local byte, global uint16, big bool, devSizes []byte, fields ...fld) *fitBuilder {
	h := 0x40 | local
	if len(devSizes) > 0 {
		h |= 0x20
	}
	b.body.WriteByte(h)
	b.body.WriteByte(0)
	arch := byte(0)
	if big {
		arch = 1
	}
	b.body.WriteByte(arch)
	var g [2]byte
	if big {
		binary.BigEndian.PutUint16(g[:], global)
	} else {
		binary.LittleEndian.PutUint16(g[:], global)
	}
	b.body.Write(g[:])
	b.body.WriteByte(byte(len(fields)))
	for _, f := range fields {
		b.body.Write([]byte{f.num, f.size, f.base})
	}
	devLen := 0
	if len(devSizes) > 0 {
		b.body.WriteByte(byte(len(devSizes)))
		for i, sz := range devSizes {
			b.body.Write([]byte{byte(i), sz, 0})
			devLen += int(sz)
		}
	}
	b.defs[local] = builderDef{big: big, fields: fields, devLen: devLen}
	return b
}

// data writes a data message; values are unsigned numbers in field order
// (strings as []byte). Developer field bytes are filled with 0xAB.
func (b *fitBuilder) data(local byte, values ...any) *fitBuilder {
	b.body.WriteByte(local)
	b.writeValues(local, values)
	return b
}

// compressed writes a data message with a compressed timestamp header.
func (b *fitBuilder) compressed(local byte, offset byte, values ...any) *fitBuilder {
	b.body.WriteByte(0x80 | local<<5 | offset&0x1F)
	b.writeValues(local, values)
	return b
}

func (b *fitBuilder) writeValues(local byte, values []any) {
	def := b.defs[local]
	var order binary.ByteOrder = binary.LittleEndian
	if def.big {
		order = binary.BigEndian
	}
	for i, f := range def.fields {
		buf := make([]byte, f.size)
		switch v := values[i].(type) {
		case []byte:
			copy(buf, v)
		case uint64:
			switch f.size {
			case 1:
				buf[0] = byte(v)
			case 2:
				order.PutUint16(buf, uint16(v))
			case 4:
				order.PutUint32(buf, uint32(v))
			case 8:
				order.PutUint64(buf, v)
			}
		}
		b.body.Write(buf)
	}
	b.body.Write(bytes.Repeat([]byte{0xAB}, def.devLen))
}

// raw appends bytes as they are.
func (b *fitBuilder) raw(p ...byte) *fitBuilder {
	b.body.Write(p)
	return b
}

// file returns header (14 bytes, with header CRC), data and file CRC.
func (b *fitBuilder) file() []byte {
	return fitWrap(b.body.Bytes(), 14)
}

func fitWrap(body []byte, headerSize int) []byte {
	out := make([]byte, headerSize, headerSize+len(body)+2)
	out[0] = byte(headerSize)
	out[1] = 0x20
	binary.LittleEndian.PutUint16(out[2:], 2132)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	copy(out[8:], ".FIT")
	if headerSize >= 14 {
		binary.LittleEndian.PutUint16(out[12:], fitCRCTest(out[:12]))
	}
	out = append(out, body...)
	return binary.LittleEndian.AppendUint16(out, fitCRCTest(out))
}

// fitCRCTest is the FIT protocol's nibble-table CRC, written independently of
// the package's byte table so each checks the other.
func fitCRCTest(b []byte) uint16 {
	tbl := [16]uint16{0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
		0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400}
	var crc uint16
	for _, x := range b {
		t := tbl[crc&0xF]
		crc = (crc >> 4) & 0x0FFF
		crc = crc ^ t ^ tbl[x&0xF]
		t = tbl[crc&0xF]
		crc = (crc >> 4) & 0x0FFF
		crc = crc ^ t ^ tbl[(x>>4)&0xF]
	}
	return crc
}

// fitTS converts a time to a FIT date_time value.
func fitTS(t time.Time) uint64 { return uint64(t.Unix() - 631065600) }

// u is shorthand for a field value.
func u(v int64) uint64 { return uint64(v) }
