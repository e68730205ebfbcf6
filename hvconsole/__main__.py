from hvconsole.cli import main

raise SystemExit(main())
