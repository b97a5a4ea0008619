package store

import (
	"fmt"
	"os"
	"path/filepath"

	"fitbridge/backend/fitfile"
)

// Cache keeps activity files by content under the data folder, so nothing
// depends on where a file came from and the same bytes are kept once.
type Cache struct {
	dir string
}

// NewCache uses dir/files.
func NewCache(home string) *Cache { return &Cache{dir: filepath.Join(home, "files")} }

func (c *Cache) path(hash string) string {
	return filepath.Join(c.dir, hash[:2], hash)
}

// Put stores data and returns its content hash. Writing goes through a
// temporary file and a rename, so a killed process never leaves half a file
// under a valid name.
func (c *Cache) Put(data []byte) (string, error) {
	hash := fitfile.ContentHash(data)
	p := c.path(hash)
	if _, err := os.Stat(p); err == nil {
		return hash, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return "", fmt.Errorf("create file cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".incoming-*")
	if err != nil {
		return "", fmt.Errorf("cache file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", fmt.Errorf("cache file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", fmt.Errorf("cache file: %w", err)
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("cache file: %w", err)
	}
	return hash, nil
}

// Get reads cached bytes by hash.
func (c *Cache) Get(hash string) ([]byte, error) {
	if len(hash) < 2 {
		return nil, fmt.Errorf("no cached file")
	}
	data, err := os.ReadFile(c.path(hash))
	if err != nil {
		return nil, fmt.Errorf("read cached file: %w", err)
	}
	return data, nil
}
