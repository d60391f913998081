package web

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
)

// The PNG icons are drawn here and committed; this test keeps them in
// step with the drawing. After changing it, regenerate with
//
//	go test ./web -run TestIcons -update
var update = flag.Bool("update", false, "rewrite the icon PNGs")

var (
	iconBlue  = color.NRGBA{0x1f, 0x5f, 0xbf, 0xff}
	iconWhite = color.NRGBA{0xff, 0xff, 0xff, 0xff}
)

// drawIcon draws the helm wheel. Maskable icons fill the square (the
// platform crops them) and keep the wheel inside the 80 % safe circle;
// the others are a rounded square with transparent corners.
func drawIcon(size int, maskable bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	const ss = 4 // supersampling per axis
	for py := range size {
		for px := range size {
			var bg, fg float64
			for sy := range ss {
				for sx := range ss {
					// Unit coordinates: the square is [-1, 1]².
					x := (float64(px)+(float64(sx)+0.5)/ss)/float64(size)*2 - 1
					y := (float64(py)+(float64(sy)+0.5)/ss)/float64(size)*2 - 1
					if maskable || inRoundedSquare(x, y, 0.44) {
						bg++
						if inWheel(x, y) {
							fg++
						}
					}
				}
			}
			bg /= ss * ss
			fg /= ss * ss
			// White over blue, with the square's coverage as alpha.
			mix := func(a, b uint8) uint8 {
				if bg == 0 {
					return 0
				}
				return uint8(math.Round((float64(a)*(bg-fg) + float64(b)*fg) / bg))
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: mix(iconBlue.R, iconWhite.R), G: mix(iconBlue.G, iconWhite.G), B: mix(iconBlue.B, iconWhite.B),
				A: uint8(math.Round(bg * 255)),
			})
		}
	}
	return img
}

func inRoundedSquare(x, y, r float64) bool {
	dx, dy := math.Max(math.Abs(x)-(1-r), 0), math.Max(math.Abs(y)-(1-r), 0)
	return dx*dx+dy*dy <= r*r
}

// inWheel: a rim, a hub, eight spokes and eight handles. Spokes and
// handles are far enough apart that only the nearest one (by angle) can
// contain the point.
func inWheel(x, y float64) bool {
	d := math.Hypot(x, y)
	switch {
	case d >= 0.36 && d <= 0.46: // rim
		return true
	case d <= 0.13: // hub
		return true
	case d > 0.7: // past the handles' reach (0.62 + 0.075): most of the square
		return false
	}
	k := math.Round(math.Atan2(y, x) / (math.Pi / 4))
	a := k * math.Pi / 4
	ux, uy := math.Cos(a), math.Sin(a)
	along := x*ux + y*uy
	across := math.Abs(-x*uy + y*ux)
	if along >= 0 && along <= 0.60 && across <= 0.035 {
		return true
	}
	return math.Hypot(x-0.62*ux, y-0.62*uy) <= 0.075
}

func TestIcons(t *testing.T) {
	icons := []struct {
		file     string
		size     int
		maskable bool
	}{
		{"icon-192.png", 192, false},
		{"icon-512.png", 512, false},
		{"icon-maskable-512.png", 512, true},
	}
	for _, ic := range icons {
		t.Run(ic.file, func(t *testing.T) {
			t.Parallel()
			checkIcon(t, ic.file, ic.size, ic.maskable)
		})
	}
}

// checkIcon compares (or with -update, rewrites) one icon file.
func checkIcon(t *testing.T, file string, size int, maskable bool) {
	want := drawIcon(size, maskable)
	if *update {
		var b bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&b, want); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("%v (run with -update to draw the icons)", err)
	}
	got, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != want.Bounds() {
		t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
	}
	// Pixels, not bytes: the PNG encoder's output may change with Go.
	for y := range size {
		for x := range size {
			if g, w := color.NRGBAModel.Convert(got.At(x, y)), want.At(x, y); g != w {
				t.Fatalf("pixel (%d,%d) = %v, want %v (run with -update)", x, y, g, w)
			}
		}
	}
	_, _, _, corner := got.At(0, 0).RGBA()
	if maskable && corner != 0xffff {
		t.Error("a maskable icon must be opaque to the edge")
	}
	if !maskable && corner != 0 {
		t.Error("corners should be transparent")
	}
}

func TestSVGIconIsSVG(t *testing.T) {
	b, err := os.ReadFile("icon.svg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("<svg")) || !bytes.Contains(b, []byte(`viewBox="-1 -1 2 2"`)) {
		t.Fatalf("icon.svg: %.80s", b)
	}
}
