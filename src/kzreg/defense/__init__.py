"""The state defense order (Law 236-VI "On the defense industry and the state defense order").

Pure law first: the order and its mandatory content (Art 19), the register of domestic
producers and suppliers, the offshore list and contractor selection (Art 20), secrecy
(Art 25 sub 3); contracts, execution and acceptance (Arts 22-29) live beside them.
"""
