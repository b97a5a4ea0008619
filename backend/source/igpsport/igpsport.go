// Package igpsport reads a rider's rides from iGPSport, the international or
// the China service (separate accounts), through the private API behind
// iGPSport's web app. Facts and their confidence: shared/reference/igpsport.md.
package igpsport

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fitbridge/backend/httpcall"
	"fitbridge/backend/source"
)

// Name is the platform's id in the registry, the database and external ids.
const Name = "igpsport"

// Regions: iGPSport keeps two separate account systems.
const (
	RegionIntl  = "intl"
	RegionChina = "cn"
)

// ExternalID is the external_id sent to Intervals.icu. It is the key
// intervalssync uses too, so rides that tool uploaded are recognised.
func ExternalID(remoteID string) string { return "igpsport_" + remoteID }

// Limits: no limit is published; the tools that work pause 0.1–0.6 s per
// call, the reference's pacing is about one gateway call a second, and
// storage was seen refusing bulk downloads, so one ride at a time.
var Limits = source.Limits{PerSecond: 1, Burst: 1, Concurrency: 1}

func init() {
	source.Register(source.Descriptor{
		Name:        Name,
		DisplayName: "iGPSport",
		Kind:        source.KindCloud,
		Description: "Rides recorded on iGPSport bike computers, from an international or a China account.",
		Regions:     []source.Region{{ID: RegionIntl, Name: "International"}, {ID: RegionChina, Name: "China"}},
		EnvURL:      "FITBRIDGE_IGPSPORT_URL",
		Color:       "#0072b2",
		Diagnose:    diagnose,
		Limits:      Limits,
		New: func(cfg source.Config) (source.Source, error) {
			o := Options{}
			if d, ok, err := source.MinInterval(cfg); err != nil {
				return nil, err
			} else if ok {
				o.Pace = d
				if d == 0 {
					o.Pace = -1 // no pause at all
				}
			}
			return New(cfg, o)
		},
		Capture: CaptureSpec,
		Login: func(ctx context.Context, cfg source.Config, username, password string) (source.Session, error) {
			tok, err := Login(ctx, cfg, username, password)
			return source.Session{Token: tok}, err
		},
		CleanToken: CleanToken,
		Validate: func(ctx context.Context, cfg source.Config) error {
			c, err := New(cfg, Options{})
			if err != nil {
				return err
			}
			return c.Validate(ctx)
		},
		ExternalID:      ExternalID,
		PlannedWorkouts: newWorkoutTarget,
	})
}

// hosts are the service's addresses for one region.
type hosts struct {
	gateway  string // API gateway
	app      string // the web app (its origin holds the token in localStorage)
	passport string // the login pages
	lang     string // the web app's language parameter
}

var regionHosts = map[string]hosts{
	RegionIntl: {
		gateway:  "https://prod.en.igpsport.com",
		app:      "https://app.igpsport.com",
		passport: "https://login.passport.igpsport.com",
		lang:     "en",
	},
	RegionChina: {
		gateway:  "https://prod.zh.igpsport.com",
		app:      "https://app.igpsport.cn",
		passport: "https://login.passport.igpsport.cn",
		lang:     "zh-Hans",
	},
}

// appVersion is the web app version each region's gateway was last seen with.
var appVersion = map[string]string{RegionIntl: "8.07.06", RegionChina: "8.07.08"}

// resolve picks the region's hosts; BaseURL replaces all of them (one
// loopback server then plays the whole service) while the region still
// decides paths and behaviour.
func resolve(cfg source.Config) (string, hosts, error) {
	region := strings.ToLower(strings.TrimSpace(cfg.Region))
	if region == "" {
		region = RegionIntl
	}
	h, ok := regionHosts[region]
	if !ok {
		return "", hosts{}, fmt.Errorf("iGPSport region %q is unknown: choose %q (International) or %q (China)", cfg.Region, RegionIntl, RegionChina)
	}
	if base := strings.TrimRight(strings.TrimSpace(cfg.BaseURL), "/"); base != "" {
		h.gateway, h.app, h.passport = base, base, base
	}
	return region, h, nil
}

// Options tune a Client. The zero value is right for real use; tests shrink the waits.
type Options struct {
	// HTTPClient makes the gateway calls (default: 30 s timeout).
	HTTPClient *http.Client
	// StorageClient fetches FIT files from object storage. It is a separate
	// client so the bearer token can never travel to storage.
	StorageClient *http.Client
	Logger        *slog.Logger
	// Pace is the least time between two calls to a host (default: one
	// second, from Limits; negative for none).
	Pace time.Duration
	// MaxAttempts bounds tries per request on 429, 5xx and network errors (default 5).
	MaxAttempts int
	// RetryBase is the first backoff, doubled per attempt up to RetryMax
	// (defaults 1 s and 30 s); a longer Retry-After is honoured up to MaxRetryAfter (default 5 min).
	RetryBase, RetryMax, MaxRetryAfter time.Duration
	// Sleep waits between attempts, and between downloads once storage
	// sends empty files (default: httpcall.Sleep).
	Sleep func(ctx context.Context, d time.Duration) error
	// Browser runs the web app for China accounts whose gateway demands
	// signed requests (default: a headless ChromeBrowser).
	Browser Browser
	// OtherRegionURL replaces the other region's hosts when cfg.BaseURL
	// replaces this one's (default: EnvOtherRegionURL then); unset, a
	// replaced host has no other region to ask.
	OtherRegionURL string
	// Now is the clock (default time.Now).
	Now func() time.Time
}

var _ source.Source = (*Client)(nil)

// Client is one signed-in iGPSport account.
type Client struct {
	cfg     source.Config // what built it, for the other region's client
	region  string
	hosts   hosts
	token   string
	api     *http.Client
	storage *http.Client
	log     *slog.Logger
	opts    Options
	calls   *httpcall.Caller
	zone    *time.Location
	// signing is set once the China gateway refused an unsigned call, so
	// later calls go straight to the web app.
	signing atomic.Bool
	// exerciseTypes remembers the unknown types already logged.
	exerciseTypes sync.Map

	// empty tracks empty files from storage (the daily cap): once one came,
	// downloads are spaced out; after stopAfterEmpty in a row, this run
	// asks for no more files.
	emptyMu   sync.Mutex
	emptySeen bool
	emptyRun  int
}

// New builds a Client for cfg; cfg.Token may be empty for Login.
func New(cfg source.Config, opts Options) (*Client, error) {
	region, h, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 30 * time.Second, Transport: cfg.Transport}
	}
	if opts.StorageClient == nil {
		opts.StorageClient = &http.Client{Timeout: 2 * time.Minute, Transport: cfg.Transport}
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Browser == nil {
		opts.Browser = &ChromeBrowser{Logger: opts.Logger}
	}
	if opts.OtherRegionURL == "" && cfg.BaseURL != "" {
		opts.OtherRegionURL = os.Getenv(EnvOtherRegionURL)
	}
	limits := Limits
	if opts.Pace != 0 {
		limits.PerSecond = httpcall.PerSecond(opts.Pace) // negative: no pause at all
	}
	log := opts.Logger.With("source", Name, "region", region)
	token := CleanToken(cfg.Token)
	return &Client{
		cfg:     cfg,
		region:  region,
		hosts:   h,
		token:   token,
		api:     opts.HTTPClient,
		storage: opts.StorageClient,
		log:     log,
		opts:    opts,
		calls: httpcall.New(httpcall.Options{
			Name:   Name,
			Limits: limits,
			Policy: httpcall.Policy{
				MaxAttempts:   opts.MaxAttempts,
				BaseDelay:     opts.RetryBase,
				MaxDelay:      opts.RetryMax,
				MaxRetryAfter: opts.MaxRetryAfter,
			},
			Client:   opts.HTTPClient,
			Logger:   log,
			Secrets:  []string{token},
			Describe: jsonShape,
			LogPath:  logPath,
			Sleep:    opts.Sleep,
			Now:      opts.Now,
		}),
		zone: riderZone(),
	}, nil
}

// riderZone is the zone list and detail times are read in: FitBridge asks
// the gateway for Asia/Shanghai, as the clients that work do. Times from it
// only pick date windows; the start always comes from the FIT.
var riderZone = sync.OnceValue(func() *time.Location {
	if z, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return z
	}
	return time.FixedZone("UTC+8", 8*3600)
})
