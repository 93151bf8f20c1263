Console.Error.WriteLine("This sample needs TorchSharp: dotnet run --project samples/Training/TorchSharpDemo -p:EnableTorchSharp=true -- --out DIR");
return 2;
