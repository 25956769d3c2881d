global using Dwcp.Tests;
