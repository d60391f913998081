package config

import (
	"io"
	"testing"
	"time"
)

func TestWaitingTTL(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    time.Duration
		wantErr bool
	}{
		{"default: a working day", nil, nil, 12 * time.Hour, false},
		{"environment", nil, map[string]string{"HELM_WAITING_TTL": "90m"}, 90 * time.Minute, false},
		{"flag beats environment", []string{"--waiting-ttl", "2h"}, map[string]string{"HELM_WAITING_TTL": "90m"}, 2 * time.Hour, false},
		{"not a duration", nil, map[string]string{"HELM_WAITING_TTL": "soon"}, 0, true},
		{"zero", []string{"--waiting-ttl", "0s"}, nil, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(tc.args, envOf(tc.env), "/home/u", io.Discard, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && c.WaitingTTL != tc.want {
				t.Errorf("WaitingTTL = %v, want %v", c.WaitingTTL, tc.want)
			}
		})
	}
}
