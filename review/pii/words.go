package pii

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"govreply/internal/errs"
	"govreply/internal/yamlline"
)

//go:embed words.yaml
var wordsYAML []byte

// wordsFile is the schema of words.yaml (the file documents each field).
type wordsFile struct {
	Address struct {
		Buildings          []string `yaml:"buildings"`
		Units              []string `yaml:"units"`
		Floors             []string `yaml:"floors"`
		Rooms              []string `yaml:"rooms"`
		RoomsAfterBuilding []string `yaml:"rooms_after_building"`
		RoomNotBefore      []string `yaml:"room_not_before"`
		Others             []string `yaml:"others"`
		Estates            []string `yaml:"estates"`
		Roads              []string `yaml:"roads"`
		Office             []string `yaml:"office"`
		Stops              []string `yaml:"stops"`
	} `yaml:"address"`
	Numbers struct {
		UnitsAfter     []string `yaml:"units_after"`
		SerialBefore   []string `yaml:"serial_before"`
		OfficialBefore []string `yaml:"official_before"`
		CitizenBefore  []string `yaml:"citizen_before"`
	} `yaml:"numbers"`
}

// Levels of one part of an address chain.
const (
	lvOther    = iota // 12号, 二期, 3区: neither detailed nor a home
	lvBuilding        // 3栋, 5号楼, A座
	lvUnit            // 2单元
	lvFloor           // 5楼, 3层
	lvRoom            // 501室, (after a building) 501号, 501户, 501
	lvDash            // 5-2-602: a part of a dash-joined number
)

// marker is one word ending a part of an address chain.
type marker struct {
	word  []rune
	level int
	after bool // a room only after a building, unit or floor; else lvOther
}

// tables is a word-list file, compiled.
type tables struct {
	markers                                     []marker // longest first
	roomNotBefore                               []string
	estates, roads, office, officeLong, stops   []string
	unitsAfter, serialBefore, official, citizen []string
}

// defaultTables is the compiled embedded words.yaml. The file is part of
// the program, and its test loads it, so a broken file fails the tests
// rather than a running server.
var defaultTables = mustTables(wordsYAML)

func mustTables(data []byte) *tables {
	t, err := parseTables("review/pii/words.yaml", data)
	if err != nil {
		panic(err)
	}
	return t
}

// parseTables reads and checks a word-list file called name ("" when it
// has none). Its errors are *errs.FileError.
func parseTables(name string, data []byte) (*tables, error) {
	fail := func(line int, format string, args ...any) error {
		return &errs.FileError{File: name, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	var f wordsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fail(yamlline.Of(err), "YAML 格式有误，请检查键名、冒号、缩进和引号（%v）", err)
	}
	a, n := f.Address, f.Numbers
	lists := []struct {
		key  string
		list []string
	}{
		{"address.buildings", a.Buildings}, {"address.units", a.Units}, {"address.floors", a.Floors},
		{"address.rooms", a.Rooms}, {"address.rooms_after_building", a.RoomsAfterBuilding},
		{"address.room_not_before", a.RoomNotBefore}, {"address.others", a.Others},
		{"address.estates", a.Estates}, {"address.roads", a.Roads}, {"address.office", a.Office},
		{"address.stops", a.Stops}, {"numbers.units_after", n.UnitsAfter},
		{"numbers.serial_before", n.SerialBefore}, {"numbers.official_before", n.OfficialBefore},
		{"numbers.citizen_before", n.CitizenBefore},
	}
	for _, l := range lists {
		if len(l.list) == 0 {
			return nil, fail(0, "%s 不能为空", l.key)
		}
		for _, w := range l.list {
			if w == "" || strings.ContainsFunc(w, unicode.IsSpace) {
				return nil, fail(0, "%s 含空词或带空白的词 %q", l.key, w)
			}
		}
	}
	t := &tables{}
	add := func(words []string, level int, after bool) {
		for _, w := range words {
			t.markers = append(t.markers, marker{[]rune(w), level, after})
		}
	}
	add(a.Buildings, lvBuilding, false)
	add(a.Units, lvUnit, false)
	add(a.Floors, lvFloor, false)
	add(a.Rooms, lvRoom, false)
	add(a.RoomsAfterBuilding, lvRoom, true)
	add(a.Others, lvOther, false)
	// Longest first; for the same word the earlier list (the deeper level
	// for 号 and 户) wins, which the stable sort keeps.
	slices.SortStableFunc(t.markers, func(x, y marker) int { return len(y.word) - len(x.word) })
	t.roomNotBefore, t.estates, t.roads, t.office, t.stops = a.RoomNotBefore, a.Estates, a.Roads, a.Office, a.Stops
	for _, w := range a.Office {
		if utf8.RuneCountInString(w) > 1 {
			t.officeLong = append(t.officeLong, w)
		}
	}
	t.unitsAfter, t.serialBefore, t.official, t.citizen = n.UnitsAfter, n.SerialBefore, n.OfficialBefore, n.CitizenBefore
	return t, nil
}
