from sb3inspect.cli import main

raise SystemExit(main())
