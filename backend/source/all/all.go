// Package all links in every platform FitBridge can read from. Adding a
// platform is one folder and one line here.
package all

import (
	_ "fitbridge/backend/source/folder"
	_ "fitbridge/backend/source/igpsport"
	_ "fitbridge/backend/source/imported"
	_ "fitbridge/backend/source/mywhoosh"
	_ "fitbridge/backend/source/trainingpeaks"
)
