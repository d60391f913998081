package claude

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"unsafe"

	"vibecraft.sh/helm/server/internal/regular"
	"vibecraft.sh/helm/shared"
)

// noQuestion forgets the last answer's question: a prompt followed it.
func (a *aggregate) noQuestion() {
	a.question, a.kept, a.askAt = "", true, noAsk
}

// dropQuestion lets the question line of a file last written before
// since go, keeping where its answer's line is: such a session waits
// only if a live process says so (status.go), and at 100,000 sessions
// the lines were 20 MB for the few that ever show one. A line too far
// into its file to note where it is (noAsk) is kept.
func (f *file) dropQuestion(since int64) {
	a := &f.agg
	if a.kept && a.question != "" && a.askAt != noAsk && f.lastWrite() < since {
		a.question, a.kept = "", false
	}
}

// question is the question line of f's last answer, read again from
// the file when dropQuestion let it go, and kept from then on (the
// session is waiting, so it is shown). "" when there is none, or when
// the line is no longer the answer it was: the file changed, and its
// next refresh reads it again.
//
// A lookup that found the file rewritten, or gone, is not tried again
// until a refresh sees the file change (askMissed): a waiting session is
// built every time the list is, and until then each build would open
// the file only to miss again. Any other failure to open it (too many
// open files, say) may pass, so it is tried again.
func (f *file) question() string {
	a := &f.agg
	if a.kept {
		return a.question
	}
	if a.askMissed {
		return ""
	}
	q, err := f.rereadQuestion()
	if err != nil {
		a.askMissed = errors.Is(err, errNotAnswer) || errors.Is(err, fs.ErrNotExist)
		return ""
	}
	a.question, a.kept = q, true
	return q
}

// openTranscript opens a transcript to read its question line again; a
// variable so that tests can count the opens.
var openTranscript = regular.Open

var errNotAnswer = errors.New("not the answer read before")

// rereadQuestion parses the line of the last answer again, where the
// read that found it noted it, and returns its question line. The line
// is streamed through a reader's buffer, as a read does, so a long one
// takes no more memory.
func (f *file) rereadQuestion() (string, error) {
	a := &f.agg
	if a.askAt == noAsk || int64(a.askAt) >= f.offset {
		return "", errNotAnswer
	}
	fh, err := openTranscript(f.path)
	if err != nil {
		return "", fmt.Errorf("open %s: %w", f.path, err)
	}
	defer fh.Close()
	r := readers.Get().(*reader)
	defer readers.Put(r)
	// The line ends at its '\n', or at the offset read to (a last line
	// taken without one).
	r.br.Reset(io.NewSectionReader(fh, int64(a.askAt), f.offset-int64(a.askAt)))
	defer r.br.Reset(nil)
	var readErr error
	ended := false
	chunk := func() []byte {
		if ended {
			return nil
		}
		b, err := r.br.ReadSlice('\n')
		ended = err == nil || !errors.Is(err, bufio.ErrBufferFull)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			readErr = err
		}
		if len(b) == 0 {
			return nil
		}
		return b
	}
	first := chunk()
	parsed := r.p.parseLine(&r.rec, first, chunk)
	if readErr != nil {
		// Not a verdict on the line: the next build reads it again.
		return "", fmt.Errorf("read %s: %w", f.path, readErr)
	}
	if !parsed {
		return "", errNotAnswer
	}
	rec := &r.rec
	if !rec.typ.ok || !rec.typ.is("assistant") || !rec.content.hasText {
		return "", errNotAnswer
	}
	text := rec.content.text.bytes()
	return shared.QuestionLine(unsafe.String(unsafe.SliceData(text), len(text))), nil
}
