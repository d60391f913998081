package natskey

import (
	"errors"
	"strings"
	"testing"
)

// Every machine of a fleet derives the hub's key from the hub's Helm
// token, whatever its version: a change to the derivation splits a fleet
// whose machines are upgraded one by one. The key names nothing of the
// token, and another token's key is another key.
func TestTheKeyIsStableAndTellsNothingOfTheToken(t *testing.T) {
	const helm = "helm-fleet-token-abcdefghijkl"
	pub, err := Public(helm)
	if err != nil {
		t.Fatal(err)
	}
	if want := "UBQIGDOZSWA7CL3O67DRDNAN7PQDQDXXAEXQIV375EFJCCF2PUVROORA"; pub != want {
		t.Errorf("the key of %q is %s, want %s as every helmd of this scheme derives it", helm, pub, want)
	}
	if strings.Contains(pub, helm) {
		t.Errorf("the public key %s holds the token", pub)
	}
	kp, err := FromHelmToken(helm)
	if err != nil {
		t.Fatal(err)
	}
	seed, err := kp.Seed()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(seed), helm) {
		t.Error("the seed holds the token")
	}
	other, err := Public(helm + "x")
	if err != nil {
		t.Fatal(err)
	}
	if other == pub {
		t.Error("two tokens, one key")
	}
	if _, err := Public(""); err == nil {
		t.Error("a key derived from no token")
	}
}

// The signer never signs an empty nonce: a signature of nothing is one a
// stranger could keep and replay to any server that asks for none.
func TestNoSignatureOfAnEmptyNonce(t *testing.T) {
	kp, err := FromHelmToken("helm-fleet-token-abcdefghijkl")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Signer(kp)(nil); !errors.Is(err, ErrNoNonce) {
		t.Fatalf("signing no nonce: %v, want ErrNoNonce", err)
	}
	sig, err := Signer(kp)([]byte("nonce"))
	if err != nil {
		t.Fatal(err)
	}
	if err := kp.Verify([]byte("nonce"), sig); err != nil {
		t.Fatalf("the signature does not verify: %v", err)
	}
}
