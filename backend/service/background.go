package service

import (
	"context"
	"time"
)

// RunBackground keeps continuous sync going while the window is open,
// following the rider's settings (on/off, interval) as they change.
func (s *Service) RunBackground(ctx context.Context) {
	for {
		st := s.Settings()
		// Continuous sync starts once the rider has been through the wizard
		// (and so chose what to backfill): not behind their back before.
		if st.ContinuousSync && st.WizardDone && s.intervalsStatus().Connected {
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = s.Watcher(WatchOptions{}).Run(runCtx, nil)
			}()
			// Restart when the settings change, so a new interval applies.
			for changed := false; !changed; {
				select {
				case <-ctx.Done():
					cancel()
					<-done
					return
				case <-done:
					changed = true
				case <-time.After(30 * time.Second):
					now := s.Settings()
					changed = now.ContinuousSync != st.ContinuousSync || now.PollMinutes != st.PollMinutes || !now.WizardDone || !s.intervalsStatus().Connected
				}
			}
			cancel()
			<-done
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Second):
		}
	}
}
