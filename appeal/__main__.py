from appeal.cli import main

raise SystemExit(main())
