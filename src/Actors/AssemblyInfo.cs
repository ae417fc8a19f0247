// AkkaSfu.Actors: mediasoup's object model as Akka.NET actors driving the media engine (src/Media).
namespace AkkaSfu.Actors;
